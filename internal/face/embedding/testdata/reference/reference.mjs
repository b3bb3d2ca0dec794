// Computes face-api's own 128-d embeddings of the .rgb inputs in this folder, with
// @vladmandic/face-api 1.7.15 on tfjs 4.22.0's pure-JS CPU backend, reading the weights the Go
// package embeds (internal/face/weights), and writes reference.json. See README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// face-api.node-wasm.js is the Node build that needs no native bindings (tfjs-node); its wasm
// backend is registered but not used: the CPU backend is the reference.
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const { tf } = faceapi;

const size = 150;
const inputs = ['astronaut', 'pattern', 'noise'];
const weights = new URL('../../../weights/', import.meta.url);

await tf.setBackend('cpu');
await tf.ready();

const manifest = JSON.parse(readFileSync(new URL('face_recognition_model-weights_manifest.json', weights)));
const bin = readFileSync(new URL('face_recognition_model.bin', weights));
const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
faceapi.nets.faceRecognitionNet.loadFromWeightMap(tf.io.decodeWeights(buf, manifest[0].weights));

const out = {
  generator: 'reference.mjs',
  faceApi: require('@vladmandic/face-api/package.json').version,
  tfjs: tf.version.tfjs,
  backend: tf.getBackend(),
  embeddings: {},
};
for (const name of inputs) {
  const pix = readFileSync(new URL(`${name}.rgb`, import.meta.url));
  if (pix.length !== size * size * 3) throw new Error(`${name}.rgb: ${pix.length} bytes`);
  const x = tf.tensor3d(new Int32Array(pix), [size, size, 3], 'int32');
  const d = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(x);
  x.dispose();
  out.embeddings[name] = Array.from(d);
}
// One embedding a line, as JSON.stringify writes float32 values widened to float64 (exact).
const lines = Object.entries(out.embeddings).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
const head = JSON.stringify({ ...out, embeddings: undefined }, null, 1).replace(/\n}$/, '');
writeFileSync(new URL('reference.json', import.meta.url), `${head},\n "embeddings": {\n${lines.join(',\n')}\n }\n}\n`);
console.log(`wrote reference.json: ${inputs.join(', ')} on ${out.backend}, face-api ${out.faceApi}, tfjs ${out.tfjs}`);
