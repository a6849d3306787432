// Swagger UI for /api/docs, started from a file (the page's CSP allows no inline script).
window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui" });
