// The cashier's camera: where the browser reads QR codes itself (BarcodeDetector), a scan fills
// the voucher code; typing the code works everywhere. A static file, for the strict CSP.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    const button = document.getElementById("voucher-camera");
    const video = document.getElementById("voucher-camera-view");
    const input = document.getElementById("id_code");
    if (!button || !video || !input || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
      return;
    }
    button.classList.remove("d-none");
    let stream = null;
    let timer = null;

    function stop() {
      clearInterval(timer);
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.classList.add("d-none");
    }

    button.addEventListener("click", async function () {
      if (stream) return stop();
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.classList.remove("d-none");
      await video.play();
      timer = setInterval(async function () {
        const codes = await detector.detect(video);
        if (codes.length) {
          input.value = codes[0].rawValue;
          stop();
          const spend = document.getElementById("id_spend");
          if (spend) spend.focus();
        }
      }, 250);
    });
  });
})();
