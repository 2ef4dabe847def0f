// Opens a page in headless Chromium (the system's, driven by puppeteer-core) and reports what it shows, one line
// each: "subscribed" once the page's MQTT.js client holds its subscription, then "shown: <text>" for the first
// message the page lists. Usage: node browser-page.mjs <page-url> <chromium-path>
import puppeteer from 'puppeteer-core';

const [pageUrl, executablePath] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  page.on('console', (message) => process.stderr.write(`console: ${message.text()}\n`));
  page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
  await page.goto(pageUrl);
  await page.waitForFunction(() => document.getElementById('status').textContent !== 'connecting' && document.getElementById('status').textContent !== 'connected', { timeout: 20_000 });
  console.log(await page.$eval('#status', (element) => element.textContent));
  await page.waitForSelector('#messages li', { timeout: 20_000 });
  console.log(`shown: ${await page.$eval('#messages li', (element) => element.textContent)}`);
} finally {
  await browser.close();
}
