// Warns a signed-in user before their session times out for inactivity, and lets them stay
// signed in. Pages work without it: the server ends idle sessions either way.
const body = document.body;
const dialog = document.getElementById('cw-timeout');
if (dialog && body.dataset.idleMinutes) {
  const idle = Number(body.dataset.idleMinutes) * 60 * 1000;
  const warnBefore = 5 * 60 * 1000;
  let warnTimer;
  let endTimer;
  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(warn, Math.max(idle - warnBefore, 0));
    endTimer = setTimeout(() => { window.location.assign('/sign-in'); }, idle);
  };
  const warn = () => {
    if (!dialog.open) dialog.showModal();
  };
  dialog.querySelector('[data-stay]').addEventListener('click', async () => {
    const token = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
    const answer = await fetch('/session/keep-alive', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': token } });
    if (answer.ok) {
      dialog.close();
      schedule();
    } else {
      window.location.assign('/sign-in');
    }
  });
  document.addEventListener('casework:warn-timeout', warn);
  schedule();
}
