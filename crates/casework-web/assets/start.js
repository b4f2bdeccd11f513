// Starts the design system's components once the page has loaded.
import { initAll } from '/assets/govuk-frontend.min.js';
initAll();
import '/assets/timeout.js';
