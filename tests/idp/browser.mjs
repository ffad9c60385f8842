// A minimal "browser" for the authorization code flow tests: GET the URL, keep cookies, follow
// redirects (the test IdP's interaction approves at once) until the redirect to tollgate's
// loopback listener has been delivered. Usage: node tests/idp/browser.mjs URL
// (tests point $BROWSER at a wrapper script that runs this, for `tollgate token --open`).
import { pathToFileURL } from 'node:url';

export async function browse(start, { maxHops = 20, log = () => {} } = {}) {
  const jar = new Map();
  let url = start;
  for (let hop = 0; hop < maxHops; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    log(`${res.status} ${url}`);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).href;
      continue;
    }
    return { status: res.status, url, body: await res.text() };
  }
  throw new Error(`more than ${maxHops} redirects from ${start}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  browse(process.argv[2], { log: (l) => process.stderr.write(`browser: ${l}\n`) }).then(
    (r) => process.exit(r.status === 200 ? 0 : 1),
    (e) => {
      process.stderr.write(`browser: ${e.message}\n`);
      process.exit(1);
    },
  );
}
