// Accessible names and language for the few Chainlit controls that have none.
(function () {
  document.documentElement.lang = "fr";
  var names = { "chat-submit": "Envoyer ma réponse", "chat-input": "Votre réponse" };
  function label() {
    Object.keys(names).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.getAttribute("aria-label") !== names[id]) el.setAttribute("aria-label", names[id]);
    });
  }
  new MutationObserver(label).observe(document.documentElement, { childList: true, subtree: true });
  label();
})();
