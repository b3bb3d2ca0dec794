// Computes face-api's own raw 136 outputs of FaceLandmark68Net for the 112×112 .rgb inputs in this
// folder, with @vladmandic/face-api 1.7.15 on tfjs 4.22.0's pure-JS CPU backend, reading the
// weights the Go package embeds (internal/face/weights), and writes reference.json. See README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// face-api.node-wasm.js is the Node build that needs no native bindings (tfjs-node); its wasm
// backend is registered but not used: the CPU backend is the reference.
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const { tf } = faceapi;

const size = 112;
const inputs = ['astronaut', 'pattern', 'noise'];
const weights = new URL('../../../weights/', import.meta.url);

await tf.setBackend('cpu');
await tf.ready();

const net = faceapi.nets.faceLandmark68Net;
const manifest = JSON.parse(readFileSync(new URL('face_landmark_68_model-weights_manifest.json', weights)));
const bin = readFileSync(new URL('face_landmark_68_model.bin', weights));
const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
net.loadFromWeightMap(tf.io.decodeWeights(buf, manifest[0].weights));

const out = {
  generator: 'reference.mjs',
  faceApi: require('@vladmandic/face-api/package.json').version,
  tfjs: tf.version.tfjs,
  backend: tf.getBackend(),
  outputs: {},
};
for (const name of inputs) {
  const pix = readFileSync(new URL(`${name}.rgb`, import.meta.url));
  if (pix.length !== size * size * 3) throw new Error(`${name}.rgb: ${pix.length} bytes`);
  const x = tf.tensor3d(new Int32Array(pix), [size, size, 3], 'int32');
  // runNet is the net itself (feature extractor then fully connected layer), before postProcess
  // maps the outputs from the padded square back to the input; for a square 112×112 input that
  // map is the identity up to rounding.
  const y = net.runNet(await faceapi.toNetInput(x));
  out.outputs[name] = Array.from(await y.data());
  x.dispose();
  y.dispose();
}
// One output vector a line, as JSON.stringify writes float32 values widened to float64 (exact).
const lines = Object.entries(out.outputs).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
const head = JSON.stringify({ ...out, outputs: undefined }, null, 1).replace(/\n}$/, '');
writeFileSync(new URL('reference.json', import.meta.url), `${head},\n "outputs": {\n${lines.join(',\n')}\n }\n}\n`);
console.log(`wrote reference.json: ${inputs.join(', ')} on ${out.backend}, face-api ${out.faceApi}, tfjs ${out.tfjs}`);
