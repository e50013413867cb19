/* global document, localStorage, fetch, setInterval, window */
// The phone simulator page: talks only to the launcher's /api (which holds the phones' keys).
const $ = (selector) => document.querySelector(selector);
const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;
const POLL_MS = 1500;

let phones = [];
let current = localStorage.getItem('redtap-phone') ?? null;
let tapping = false;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error?.message ?? `HTTP ${response.status}`);
  return json;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function loadPhones() {
  phones = (await api('GET', '/api/phones')).phones;
  if (phones.length === 0) {
    await api('POST', '/api/phones', { name: 'alice' });
    phones = (await api('GET', '/api/phones')).phones;
  }
  if (current === null || !phones.some((phone) => phone.name === current)) current = phones[0].name;
  const select = $('#phone-select');
  select.replaceChildren(
    ...phones.map((phone) => el('option', { value: phone.name }, `${phone.name} · wallet ${phone.walletId}`)),
  );
  select.value = current;
  renderPhone();
}

function currentPhone() {
  return phones.find((phone) => phone.name === current);
}

function renderPhone() {
  const phone = currentPhone();
  if (phone === undefined) return;
  $('#phone-online').checked = phone.online;
  $('[data-testid=wallet-id]').textContent =
    `wallet ${phone.walletId} · ${phone.online ? 'online' : 'offline'}`;
  $('[data-testid=receipts]').replaceChildren(
    ...phone.receipts.map((receipt) =>
      el(
        'li',
        {},
        el('span', {}, `screen ${receipt.screenIndex} · ${new Date(receipt.at).toLocaleTimeString()}`),
        el(
          'span',
          {},
          receipt.phoneRedeem === null ? 'not redeemed by the phone' : `phone: ${receipt.phoneRedeem}`,
        ),
      ),
    ),
  );
}

const CAP_TEXT = {
  CAP_WALLET_DAILY_COUNT: 'daily limit of red packets reached',
  CAP_WALLET_DAILY_AMOUNT: 'daily cash limit reached',
  CAP_CAMPAIGN_WALLET: 'daily limit for this campaign reached',
  CAP_ADVERTISER_WALLET: 'daily limit for this brand reached',
};

function historyText(item) {
  const cap = CAP_TEXT[item.reason];
  if (cap !== undefined) {
    // The count and the limit, when the cloud reports them with the row.
    const of = typeof item.capCount === 'number' && typeof item.capMax === 'number';
    return `not paid · ${cap}${of ? ` (${item.capCount} of ${item.capMax})` : ''}`;
  }
  const prize =
    item.amountFen > 0 ? ` ${yuan(item.amountFen)}` : item.couponOfferId ? ' coupon' : ' no prize';
  return `${item.status}${item.reason ? ` · ${item.reason}` : ''}${prize}`;
}

async function openWallet() {
  const phone = currentPhone();
  if (phone === undefined) return;
  // Opened before the request, while the click still counts as a user gesture (no popup blocker).
  const tab = window.open('about:blank', `wallet-${phone.name}`);
  try {
    const { url } = await api('POST', `/api/phones/${phone.name}/wallet-link`);
    if (tab === null) window.location.assign(url);
    else {
      tab.opener = null;
      tab.location.href = url;
    }
  } catch (error) {
    tab?.close();
    $('[data-testid=last-tap]').textContent = `cannot open the wallet: ${error.message}`;
  }
}

async function refreshWallet() {
  const phone = currentPhone();
  if (phone === undefined) return;
  try {
    const wallet = await api('GET', `/api/phones/${phone.name}/wallet`);
    $('[data-testid=balance]').textContent = yuan(wallet.balanceFen);
    // Receipts the phone holds that the cloud has not settled yet come first: the kiosk committed them
    // (the prize is won) but its outbox, or the phone, has not reached the cloud.
    const pending = wallet.pending.map((tap) =>
      el(
        'li',
        { class: 'status-pending', 'data-testid': 'pending-tap' },
        el('span', {}, `screen ${tap.screenId} #${tap.counter}`),
        el(
          'span',
          {},
          `pending · not yet settled by the cloud${tap.amountFen > 0 ? ` ${yuan(tap.amountFen)}` : ''}`,
        ),
      ),
    );
    $('[data-testid=history]').replaceChildren(
      ...pending,
      ...wallet.history.map((item) =>
        el(
          'li',
          { class: `status-${item.status}` },
          el('span', {}, `screen ${item.screenId} #${item.counter}`),
          el('span', {}, historyText(item)),
        ),
      ),
    );
    $('[data-testid=coupons]').replaceChildren(
      ...wallet.coupons.map((coupon) =>
        el('li', {}, el('span', {}, coupon.title), el('span', {}, coupon.code)),
      ),
    );
  } catch (error) {
    $('[data-testid=wallet-id]').textContent = `wallet unavailable: ${error.message}`;
  }
}

function screenCard(screen) {
  const online = screen.connected;
  const tap = el(
    'button',
    { class: 'primary', 'data-testid': `tap-${screen.index}`, onclick: () => tapOn(screen.index) },
    'Tap phone here',
  );
  tap.disabled = !screen.running || tapping;
  const link = el(
    'button',
    {
      'data-testid': `link-${screen.index}`,
      onclick: () =>
        api('POST', `/api/screens/${screen.index}/link`, { online: !screen.linkOnline }).then(refreshScreens),
    },
    screen.linkOnline ? 'Cut link' : 'Restore link',
  );
  const open = el(
    'a',
    { href: screen.url ?? '#', target: `screen-${screen.index}`, 'data-testid': `open-${screen.index}` },
    'Open screen ↗',
  );
  return el(
    'div',
    { class: 'screen', 'data-testid': `screen-${screen.index}`, 'data-connected': String(online) },
    el('h4', {}, `${screen.index}. ${screen.name}`),
    el(
      'div',
      { class: 'where' },
      `${screen.city} · screen ${screen.screenId ?? '?'} · ${screen.reader === 'pcsc' ? 'PC/SC reader (pcscd + vpcd)' : 'simulated reader'}`,
    ),
    el(
      'div',
      { class: 'state' },
      el(
        'span',
        {},
        el('span', { class: `badge ${online ? 'online' : 'offline'}` }, online ? 'online' : 'offline'),
        screen.linkOnline ? '' : ' · link cut',
      ),
      el(
        'span',
        { 'data-testid': `backlog-${screen.index}` },
        `backlog ${screen.backlog ?? '?'} · taps ${screen.counter ?? '?'}`,
      ),
      el('span', {}, `envelopes left ${screen.envelopesLeft ?? '?'}`),
    ),
    el('div', { class: 'actions' }, tap, link, open),
  );
}

async function refreshScreens() {
  const { screens } = await api('GET', '/api/screens');
  $('#screens').replaceChildren(...screens.map(screenCard));
}

async function tapOn(index) {
  const phone = currentPhone();
  if (phone === undefined || tapping) return;
  tapping = true;
  $('[data-testid=last-tap]').textContent = `tapping screen ${index}…`;
  await refreshScreens();
  try {
    const result = await api('POST', `/api/phones/${phone.name}/tap`, { screen: index });
    const redeem = result.phoneRedeem === null ? '' : ` · phone redeemed: ${result.phoneRedeem}`;
    $('[data-testid=last-tap]').textContent =
      `screen ${index}: ${result.outcome}${result.code ? ` (${result.code})` : ''}${result.receipt ? ' · receipt stored' : ''}${redeem}`;
  } catch (error) {
    $('[data-testid=last-tap]').textContent = `tap failed: ${error.message}`;
  } finally {
    tapping = false;
  }
  await loadPhones();
  await Promise.all([refreshScreens(), refreshWallet()]);
}

$('#open-wallet').addEventListener('click', () => {
  openWallet().catch(() => undefined);
});
$('#phone-select').addEventListener('change', (event) => {
  current = event.target.value;
  localStorage.setItem('redtap-phone', current);
  renderPhone();
  refreshWallet();
});
$('#new-phone').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('#new-phone-name').value.trim();
  if (name === '') return;
  try {
    await api('POST', '/api/phones', { name });
    current = name;
    localStorage.setItem('redtap-phone', current);
    $('#new-phone-name').value = '';
    await loadPhones();
    await refreshWallet();
  } catch (error) {
    $('[data-testid=last-tap]').textContent = error.message;
  }
});
$('#phone-online').addEventListener('change', async (event) => {
  const phone = currentPhone();
  if (phone === undefined) return;
  const { redeemed } = await api('POST', `/api/phones/${phone.name}/online`, {
    online: event.target.checked,
  });
  if (redeemed.length > 0)
    $('[data-testid=last-tap]').textContent =
      `phone back online: redeemed ${redeemed.map((r) => `#${r.counter} ${r.status}`).join(', ')}`;
  await loadPhones();
  await refreshWallet();
});

await loadPhones();
await Promise.all([refreshScreens(), refreshWallet()]);
setInterval(() => {
  refreshScreens().catch(() => undefined);
  refreshWallet().catch(() => undefined);
}, POLL_MS);
