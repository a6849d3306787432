// Accessible names and language for the few Chainlit controls that have none.
(function () {
  document.documentElement.lang = "fr";
  var byId = { "chat-submit": "Envoyer ma réponse", "chat-input": "Votre réponse" };
  var byIcon = {
    "lucide-arrow-down": "Voir les derniers messages",
    "lucide-copy": "Copier le message",
    "lucide-check": "Copié",
  };
  function name(el, text) {
    if (el.getAttribute("aria-label") !== text) el.setAttribute("aria-label", text);
  }
  function label() {
    Object.keys(byId).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) name(el, byId[id]);
    });
    document.querySelectorAll("button").forEach(function (button) {
      if (button.id in byId || button.textContent.trim()) return;
      var icon = button.querySelector("svg");
      var cls = icon ? icon.getAttribute("class") || "" : "";
      Object.keys(byIcon).forEach(function (key) {
        if (cls.indexOf(key) !== -1) name(button, byIcon[key]);
      });
    });
  }
  new MutationObserver(label).observe(document.documentElement, { childList: true, subtree: true });
  label();
})();
