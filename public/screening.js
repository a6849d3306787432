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
  // The message list scrolls: keyboard users reach it with Tab (WCAG 2.1.1), screen readers
  // hear new messages (a log is a polite live region).
  function conversation() {
    var lists = [].filter.call(document.querySelectorAll(".overflow-y-auto"), function (el) {
      return el.querySelector(".ai-message") && !el.querySelector(":scope .overflow-y-auto .ai-message");
    });
    lists.forEach(function (el) {
      if (el.getAttribute("role") === "log") return;
      el.setAttribute("role", "log");
      el.setAttribute("aria-label", "Conversation");
      el.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(function () {
    label();
    conversation();
  }).observe(document.documentElement, { childList: true, subtree: true });
  label();
  conversation();
})();
