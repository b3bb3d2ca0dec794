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
