// kycd hosted flow. Served from kycd itself (the Content-Security-Policy allows no inline script);
// every screen works without it, with plain forms and file inputs.
(function () {
  "use strict";

  // The link's token has been exchanged for a session cookie: keep it out of history and bookmarks.
  if (new URLSearchParams(location.search).has("token")) {
    history.replaceState(null, "", location.pathname);
  }

  // The status page follows the request while documents are being checked.
  var refresh = document.body.getAttribute("data-refresh");
  if (refresh) {
    setTimeout(function () { location.reload(); }, Number(refresh) * 1000);
  }

  // Show the back-side upload only for document types that have a back.
  var docType = document.getElementById("f-doc_type");
  var back = document.getElementById("back-side");
  if (docType && back) {
    var withBack = back.getAttribute("data-with-back").split(" ");
    var toggle = function () { back.hidden = withBack.indexOf(docType.value) < 0; };
    docType.addEventListener("change", toggle);
    toggle();
  }

  // Preview chosen images.
  Array.prototype.forEach.call(document.querySelectorAll("input.file-input"), function (input) {
    input.addEventListener("change", function () {
      var img = document.getElementById("p-" + input.name);
      var f = input.files && input.files[0];
      if (!img) { return; }
      if (f && f.type.indexOf("image/") === 0) {
        img.src = URL.createObjectURL(f);
        img.hidden = false;
      } else {
        img.hidden = true;
      }
    });
  });

  // Selfie: camera capture with preview and retake; the file input stays as the fallback.
  var camera = document.getElementById("camera");
  if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var start = document.getElementById("camera-start");
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  var preview = document.getElementById("camera-preview");
  var take = document.getElementById("camera-take");
  var retake = document.getElementById("camera-retake");
  var failed = document.getElementById("camera-error");
  var input = document.getElementById("f-selfie");
  var inputPreview = document.getElementById("p-selfie");
  var stream = null;
  camera.hidden = false;

  function live() {
    video.hidden = false;
    take.hidden = false;
    preview.hidden = true;
    retake.hidden = true;
    take.focus();
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      return video.play();
    }).then(function () {
      start.hidden = true;
      live();
    }).catch(function () {
      failed.hidden = false;
      start.hidden = true;
      input.focus();
    });
  });

  take.addEventListener("click", function () {
    canvas.width = video.videoWidth || 640;
    canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(function (blob) {
      var file = new File([blob], "selfie.jpg", { type: "image/jpeg" });
      var dt = new DataTransfer();
      dt.items.add(file);
      input.files = dt.files;
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      video.hidden = true;
      take.hidden = true;
      retake.hidden = false;
      if (inputPreview) { inputPreview.hidden = true; }
      document.getElementById("selfie-submit").focus();
    }, "image/jpeg", 0.92);
  });

  retake.addEventListener("click", function () {
    input.value = "";
    live();
  });

  window.addEventListener("pagehide", function () {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
  });
})();
