// Zoom and rotate the document images of a case page (the page works without it).
document.addEventListener("click", (e) => {
  const b = e.target.closest("button[data-act]");
  if (!b) return;
  const img = b.closest("figure").querySelector("img");
  let zoom = Number(img.dataset.zoom), rotate = Number(img.dataset.rotate);
  if (b.dataset.act === "zoom-in") zoom = Math.min(zoom * 1.5, 8);
  if (b.dataset.act === "zoom-out") zoom = Math.max(zoom / 1.5, 0.5);
  if (b.dataset.act === "rotate") rotate = (rotate + 90) % 360;
  img.dataset.zoom = zoom;
  img.dataset.rotate = rotate;
  img.style.transform = `scale(${zoom}) rotate(${rotate}deg)`;
});

// Cut each face the face match found out of its image, with a margin, so the selfie's face and
// the document's portrait sit side by side (canvas.face: data-src, data-box "x,y,width,height").
for (const c of document.querySelectorAll("canvas.face")) {
  const [x, y, w, h] = c.dataset.box.split(",").map(Number);
  const img = new Image();
  img.onload = () => {
    const m = Math.round(Math.max(w, h) * 0.25);
    c.getContext("2d").drawImage(img, x - m, y - m, w + 2 * m, h + 2 * m, 0, 0, c.width, c.height);
    c.dataset.drawn = "1";
  };
  img.src = c.dataset.src;
}
