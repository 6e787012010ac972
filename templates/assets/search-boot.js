// MkDocs' search client reads the site root from a global `base_url`; set it from
// this script tag's data-root so that no inline script is needed (the CSP forbids them).
window.base_url = document.currentScript.getAttribute("data-root");
