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

  var canCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);

  // Selfie: camera capture with preview and retake; the file input stays as the fallback.
  (function () {
    var camera = document.getElementById("camera");
    if (!camera || !canCamera) {
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

  // Liveness: the front camera films the end user following the moves the server asked for
  // (data-moves, under the form's nonce). A frame is taken looking straight at the camera
  // (after data-first-ms), then one at the end of each move's prompt (every data-hold-ms); the
  // frames go in the form's file inputs, in order, and the form is sent. The frames are taken on
  // a fixed schedule from when the camera starts, so the server sees where the face was at each
  // prompt. There is no fallback to a chosen photo: without a camera the page says so.
  (function () {
    var section = document.getElementById("liveness");
    if (!section) {
      return;
    }
    var form = document.getElementById("liveness-form");
    var start = document.getElementById("liveness-start");
    var live = document.getElementById("liveness-live");
    var video = document.getElementById("liveness-video");
    var prompt = document.getElementById("liveness-prompt");
    var noCamera = document.getElementById("liveness-no-camera");
    var moves = section.getAttribute("data-moves").split(",");
    var firstMs = Number(section.getAttribute("data-first-ms"));
    var holdMs = Number(section.getAttribute("data-hold-ms"));
    var texts = {};
    Array.prototype.forEach.call(document.querySelectorAll("#liveness-moves li"), function (li) {
      texts[li.getAttribute("data-move")] = li.textContent;
    });
    var stream = null;
    if (!canCamera || !window.Promise) {
      noCamera.hidden = false;
      return;
    }
    start.hidden = false;

    function grab() {
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth || 640;
      canvas.height = video.videoHeight || 480;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.9); });
    }

    function show(move, i) {
      prompt.textContent = texts[move] || "";
      prompt.setAttribute("data-step", String(i));
      Array.prototype.forEach.call(document.querySelectorAll("#liveness-moves li"), function (li, j) {
        li.className = j === i ? "current" : (j < i ? "done" : "");
      });
    }

    function run() {
      var t0 = performance.now();
      var shots = [];
      var steps = ["look"].concat(moves);
      steps.forEach(function (move, i) {
        var promptAt = i === 0 ? 0 : firstMs + (i - 1) * holdMs;
        var shotAt = firstMs + i * holdMs;
        setTimeout(function () { show(move, i); }, Math.max(0, promptAt - (performance.now() - t0)));
        shots.push(new Promise(function (resolve) {
          setTimeout(function () { resolve(grab()); }, Math.max(0, shotAt - (performance.now() - t0)));
        }));
      });
      Promise.all(shots).then(function (blobs) {
        if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
        blobs.forEach(function (blob, i) {
          var dt = new DataTransfer();
          dt.items.add(new File([blob], "frame" + i + ".jpg", { type: "image/jpeg" }));
          document.getElementById("frame" + i).files = dt.files;
        });
        prompt.textContent = section.getAttribute("data-sending");
        prompt.removeAttribute("data-step");
        section.setAttribute("data-sent", "");
        form.submit();
      });
    }

    start.addEventListener("click", function () {
      start.disabled = true;
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      }).then(function () {
        start.hidden = true;
        live.hidden = false;
        run();
      }).catch(function () {
        start.hidden = true;
        noCamera.hidden = false;
      });
    });

    window.addEventListener("pagehide", function () {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    });
  })();

  // Identity document: a photo with the rear camera, inside a frame, read at once by kycd. What it
  // reads prefills the form's empty fields, highlighted for the end user to check; a blurred,
  // glared or unreadable photo gets its reason and the camera goes live again. The photo goes into
  // the front file input, so the form sends it as any chosen file. A file chosen through that input
  // (the fallback without a camera) is read the same way.
  (function () {
    var section = document.getElementById("doc-camera");
    var front = document.getElementById("f-front");
    if (!section || !front || !window.fetch || !window.Promise) {
      return;
    }
    var form = front.form;
    var csrf = form.querySelector("input[name=csrf]").value;
    var failedText = section.getAttribute("data-failed");

    // read sends one image to the reading endpoint; it always resolves, with verdict "error" when
    // kycd could not answer (the end user then types the details).
    function read(blob) {
      var docType = form.elements.doc_type;
      var url = section.getAttribute("data-reading") + "?type=" + encodeURIComponent(docType ? docType.value : "");
      var failed = { verdict: "error", message: failedText };
      return fetch(url, {
        method: "POST", credentials: "same-origin", body: blob,
        headers: { "X-CSRF-Token": csrf, "Content-Type": blob.type || "application/octet-stream" }
      }).then(function (res) {
        return res.json().then(function (out) { return out && out.verdict ? out : failed; }, function () { return failed; });
      }, function () { return failed; });
    }

    function say(el, text, kind) {
      el.textContent = text || "";
      el.className = "capture-status" + (kind ? " " + kind : "");
      el.hidden = !text;
    }

    function busy(el) { say(el, section.getAttribute("data-busy"), "busy"); }

    function report(el, out) { say(el, out.message, out.verdict === "ok" ? "ok" : "retake"); }

    // fill sets the fields the end user left empty (or that an earlier photo filled) and marks them
    // for checking; what the end user typed stays.
    function fill(values) {
      Object.keys(values || {}).forEach(function (name) {
        var el = form.elements[name];
        var value = values[name];
        if (!el || !el.tagName || (el.value && !el.hasAttribute("data-read"))) {
          return;
        }
        if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === value; })) {
          return;
        }
        el.value = value;
        el.setAttribute("data-read", "");
        el.dispatchEvent(new Event("change", { bubbles: true }));
        var field = el.closest(".field");
        if (field && !field.classList.contains("prefilled")) {
          field.classList.add("prefilled");
          var note = document.createElement("p");
          note.className = "prefill-note";
          note.id = "n-" + name;
          note.textContent = section.getAttribute("data-check");
          el.insertAdjacentElement("afterend", note);
          var described = el.getAttribute("aria-describedby");
          el.setAttribute("aria-describedby", described ? described + " " + note.id : note.id);
        }
      });
    }

    // A field the end user edits is theirs: no longer marked, and not overwritten by another photo.
    form.addEventListener("input", function (ev) {
      var el = ev.target;
      if (!el.hasAttribute || !el.hasAttribute("data-read")) {
        return;
      }
      el.removeAttribute("data-read");
      var field = el.closest(".field");
      var note = document.getElementById("n-" + el.name);
      if (field) { field.classList.remove("prefilled"); }
      if (note) {
        note.remove();
        var rest = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== note.id; });
        if (rest.length) { el.setAttribute("aria-describedby", rest.join(" ")); } else { el.removeAttribute("aria-describedby"); }
      }
    });

    // The fallback: a chosen file is read too.
    var frontStatus = document.getElementById("front-status");
    front.addEventListener("change", function () {
      var f = front.files && front.files[0];
      if (!f || f.type.indexOf("image/") !== 0) {
        say(frontStatus, "");
        return;
      }
      busy(frontStatus);
      read(f).then(function (out) {
        report(frontStatus, out);
        if (out.verdict === "ok") { fill(out.prefill); }
      });
    });

    if (!canCamera) {
      return;
    }
    var start = document.getElementById("doc-start");
    var live = document.getElementById("doc-live");
    var video = document.getElementById("doc-video");
    var canvas = document.getElementById("doc-canvas");
    var preview = document.getElementById("doc-preview");
    var take = document.getElementById("doc-take");
    var retake = document.getElementById("doc-retake");
    var status = document.getElementById("doc-status");
    var noCamera = document.getElementById("doc-error");
    var frontPreview = document.getElementById("p-front");
    var stream = null;
    section.hidden = false;

    function showLive() {
      live.hidden = false;
      take.hidden = false;
      take.disabled = false;
      preview.hidden = true;
      retake.hidden = true;
      take.focus();
    }

    start.addEventListener("click", function () {
      // The rear camera where there is one; 4:3 at up to 1920 px wide, enough to read the zone.
      var constraints = { video: { facingMode: { ideal: "environment" }, width: { ideal: 1920 }, height: { ideal: 1440 } }, audio: false };
      navigator.mediaDevices.getUserMedia(constraints).then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      }).then(function () {
        start.hidden = true;
        showLive();
      }).catch(function () {
        noCamera.hidden = false;
        start.hidden = true;
        front.focus();
      });
    });

    take.addEventListener("click", function () {
      canvas.width = video.videoWidth || 1280;
      canvas.height = video.videoHeight || 960;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      take.disabled = true;
      busy(status);
      canvas.toBlob(function (blob) {
        read(blob).then(function (out) {
          report(status, out);
          if (out.verdict === "retake") {
            showLive();
            return;
          }
          var dt = new DataTransfer();
          dt.items.add(new File([blob], "document.jpg", { type: "image/jpeg" }));
          front.files = dt.files;
          say(frontStatus, "");
          if (frontPreview) { frontPreview.hidden = true; }
          preview.src = URL.createObjectURL(blob);
          preview.hidden = false;
          live.hidden = true;
          take.hidden = true;
          retake.hidden = false;
          if (out.verdict === "ok") { fill(out.prefill); }
        });
      }, "image/jpeg", 0.92);
    });

    retake.addEventListener("click", function () {
      front.value = "";
      say(status, "");
      showLive();
    });

    window.addEventListener("pagehide", function () {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    });
  })();
})();
