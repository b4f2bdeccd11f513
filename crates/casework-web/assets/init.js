// Marks the page as able to run the design system's scripts, then starts them. Pages work
// without this file; it only enhances them.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
