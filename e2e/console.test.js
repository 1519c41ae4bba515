#!/usr/bin/env node
// Browser test of the chat console: two headless Chromium pages (two users) in one chat.
//
//   node e2e/console.test.js http://127.0.0.1:8080
//
// The server must run on its generated dev secret (the console's dev login) with the builtin bot. Exit code 0 when
// every step passed; otherwise 1, with the failing step, both pages' console logs and a screenshot in e2e/artifacts/.
'use strict';

const path = require('path');
const fs = require('fs');
const { chromium } = require('playwright-core');

const BASE = (process.argv[2] || process.env.SPEECHBOT_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '') + '/';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, 'artifacts');
const STEP_TIMEOUT_MS = 10000;
const TOTAL_TIMEOUT_MS = 90000;

const run = Date.now().toString(36);
const alice = 'alice_' + run;
const bob = 'bob_' + run;
const logs = [];
let passed = 0;

function log(line) {
  process.stdout.write(line + '\n');
}

async function step(name, fn) {
  const t = Date.now();
  try {
    await fn();
  } catch (e) {
    e.message = 'step "' + name + '" failed: ' + e.message;
    throw e;
  }
  passed++;
  log('ok ' + passed + ' - ' + name + ' (' + (Date.now() - t) + ' ms)');
}

// Waits until fn() (run in the page) returns a truthy value; the value is returned.
async function until(page, fn, arg, what) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout: STEP_TIMEOUT_MS, polling: 50 });
    return await handle.jsonValue();
  } catch (e) {
    throw new Error('timed out waiting for ' + what);
  }
}

const messageWith = (page, text) => until(page, (t) => {
  const li = [...document.querySelectorAll('#messages li.msg')].find((el) => el.querySelector('.body').textContent === t);
  return li ? { id: li.dataset.messageId || null, author: li.querySelector('.author').textContent,
                status: li.dataset.status || null, edited: !li.querySelector('.edited').hidden } : null;
}, text, 'message "' + text + '" on ' + page.userName + "'s page");

const connLive = (page) => until(page, () => document.getElementById('conn-state').dataset.state === 'live', null,
    page.userName + "'s connection to be live");

async function devLogin(page, user) {
  await page.goto(BASE);
  await page.locator('#dev-form').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.fill('#dev-user', user);
  await page.click('#dev-form button[type=submit]');
  await page.locator('#app').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  const who = await page.textContent('#whoami');
  if (who !== user) throw new Error('signed in as "' + who + '", expected ' + user);
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const pages = [];
  try {
    const open = async (user) => {
      const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
      const page = await context.newPage();
      page.userName = user;
      page.on('console', (m) => logs.push('[' + user + ' console.' + m.type() + '] ' + m.text()));
      page.on('pageerror', (e) => logs.push('[' + user + ' pageerror] ' + e.message));
      pages.push(page);
      return page;
    };
    const a = await open(alice);
    const b = await open(bob);

    await step('the console is served at / with its assets', async () => {
      const res = await a.goto(BASE);
      if (res.status() !== 200) throw new Error('GET / answered ' + res.status());
      if (!(res.headers()['content-type'] || '').startsWith('text/html')) throw new Error('GET / is not HTML');
      if (!res.headers()['content-security-policy']) throw new Error('GET / has no Content-Security-Policy');
      await a.locator('#signin').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    });

    await step('both users sign in with the dev login', async () => {
      await Promise.all([devLogin(a, alice), devLogin(b, bob)]);
    });

    let chatId;
    await step('alice creates a chat (bot off) and adds bob', async () => {
      await a.fill('#new-chat-title', 'E2E ' + run);
      await a.uncheck('#new-chat-bot');
      await a.click('#new-chat-form button[type=submit]');
      await connLive(a);
      chatId = await a.textContent('#chat-id');
      if (!/^chat_\d+$/.test(chatId)) throw new Error('no chat id shown: ' + chatId);
      await a.fill('#member-input', bob);
      await a.click('#member-form button[type=submit]');
      await until(a, (u) => document.getElementById('chat-members').textContent.includes(u), bob, 'bob in the member list');
    });

    await step('bob finds the chat in his list and opens it over the WebSocket', async () => {
      await b.click('#refresh-chats');
      await b.locator('#chat-list li[data-chat-id="' + chatId + '"]').click({ timeout: STEP_TIMEOUT_MS });
      await connLive(b);
    });

    await step('bob sees alice typing', async () => {
      await a.locator('#composer-input').pressSequentially('hello bob', { delay: 10 });
      await until(b, (u) => document.getElementById('typing').textContent.includes(u), alice, 'the typing indicator');
    });

    await step("alice's message reaches bob, and bob's read receipt reaches alice", async () => {
      await a.press('#composer-input', 'Enter');
      const seen = await messageWith(b, 'hello bob');
      if (seen.author !== alice) throw new Error('bob sees the author as ' + seen.author);
      await until(a, (t) => {
        const li = [...document.querySelectorAll('#messages li.msg.mine')]
            .find((el) => el.querySelector('.body').textContent === t);
        return li && li.dataset.status === 'read' && li.querySelector('.ticks').title.includes('read by');
      }, 'hello bob', 'the read tick on alice\'s message');
      await until(b, () => document.getElementById('typing').textContent === '', null, 'the typing indicator to clear');
    });

    await step("bob's reply reaches alice", async () => {
      await b.fill('#composer-input', 'hi alice');
      await b.click('#composer button[type=submit]');
      const seen = await messageWith(a, 'hi alice');
      if (seen.author !== bob) throw new Error('alice sees the author as ' + seen.author);
    });

    await step("both pages see the bot's answer streamed chunk by chunk", async () => {
      await a.check('#chat-bot');
      await until(a, () => !document.getElementById('chat-bot').disabled && document.getElementById('chat-bot').checked,
          null, 'the bot switch');
      await b.fill('#composer-input', 'Can you summarise this conversation about streaming?');
      await b.press('#composer-input', 'Enter');
      // While it streams: the cursor shows, the text grows, and the typing line says the bot is thinking.
      await until(a, () => {
        const li = document.querySelector('#messages li.msg.bot.streaming');
        return li && Number(li.dataset.chunks || 0) >= 2;
      }, null, 'a partly streamed bot answer on alice\'s page');
      const answers = [];
      for (const p of [a, b]) {
        answers.push(await until(p, () => {
          const li = document.querySelector('#messages li.msg.bot[data-complete="true"]:not(.streaming)');
          return li && li.dataset.status === 'delivered'
              ? { text: li.querySelector('.body').textContent, chunks: Number(li.dataset.chunks || 0) } : null;
        }, null, "the finished bot answer on " + p.userName + "'s page"));
      }
      for (const ans of answers) {
        if (!ans.text.includes('You asked')) throw new Error('unexpected bot answer: ' + ans.text.slice(0, 80));
        if (ans.chunks < 5) throw new Error('the answer came in ' + ans.chunks + ' chunks, expected a stream');
      }
      if (answers[0].text !== answers[1].text) throw new Error('the pages show different answers');
      await until(a, () => document.getElementById('typing').textContent === '', null, 'the bot typing line to clear');
    });

    await step('a reaction from bob shows on alice\'s page', async () => {
      const li = b.locator('#messages li.msg', { hasText: 'hello bob' });
      await li.hover();
      await li.locator('button.react').click();
      await li.locator('.picker button[data-emoji="👍"]').click();
      await until(a, () => [...document.querySelectorAll('#messages li.msg .reactions button')]
          .some((x) => x.textContent === '👍 1'), null, 'the 👍 on alice\'s page');
    });

    await step('alice edits and deletes; bob sees both', async () => {
      const original = await messageWith(a, 'hello bob');
      const li = a.locator('#messages li.msg.mine[data-message-id="' + original.id + '"]');
      await li.hover();
      await li.locator('button.edit').click();
      await li.locator('.edit-box textarea').fill('hello bob (edited)');
      await li.locator('.edit-box button.save').click();
      const edited = await messageWith(b, 'hello bob (edited)');
      if (!edited.edited) throw new Error('bob does not see the edited mark');
      await li.hover();
      await li.locator('button.delete').click();
      await li.locator('.confirm button', { hasText: 'for everyone' }).click();
      await until(b, (id) => {
        const el = document.querySelector('#messages li.msg[data-message-id="' + id + '"]');
        return el && el.classList.contains('deleted') && el.querySelector('.body').textContent === 'message deleted';
      }, edited.id, 'the deleted message on bob\'s page');
    });

    await step('bob drops off the network, reconnects by himself, gets what he missed and sends what he wrote', async () => {
      await b.context().setOffline(true);
      await until(b, () => document.getElementById('conn-state').dataset.state !== 'live', null, 'bob to notice');
      await a.fill('#composer-input', 'sent while bob was offline');
      await a.press('#composer-input', 'Enter');
      await messageWith(a, 'sent while bob was offline');
      // What bob writes while offline waits in his outbox and goes out once he is back.
      await b.fill('#composer-input', 'written while offline');
      await b.press('#composer-input', 'Enter');
      await until(b, () => document.querySelector('#messages li.msg.pending') !== null, null, 'bob\'s pending message');
      await b.context().setOffline(false);
      await connLive(b);
      await messageWith(b, 'sent while bob was offline');
      const late = await messageWith(a, 'written while offline');
      if (late.author !== bob) throw new Error('alice sees the author as ' + late.author);
      await until(b, () => document.querySelector('#messages li.msg.pending') === null, null, 'bob\'s outbox to empty');
      const url = await b.evaluate(() => window.speechbot.state.ws && window.speechbot.state.ws.url);
      if (!/[?&]after=msg_\d+_\d+/.test(url || '')) throw new Error('the reconnect did not resume: ' + url);
    });

    await step('screenshots saved', async () => {
      // Let the last answer finish, so the picture shows the conversation at rest.
      await until(a, () => !document.querySelector('#messages li.msg.streaming'), null, 'the last answer to finish');
      await a.screenshot({ path: path.join(ARTIFACTS, 'console-alice.png') });
      await b.screenshot({ path: path.join(ARTIFACTS, 'console-bob.png') });
    });

    const errors = logs.filter((l) => l.includes('pageerror'));
    if (errors.length) throw new Error('page errors: ' + errors.join('\n'));
    log('console e2e: ' + passed + ' passed, 0 failed');
  } catch (e) {
    for (const [i, p] of pages.entries()) {
      await p.screenshot({ path: path.join(ARTIFACTS, 'failure-' + i + '.png') }).catch(() => {});
    }
    log('not ok - ' + e.message);
    log('console e2e: ' + passed + ' passed, 1 failed');
    if (logs.length) log('--- page logs ---\n' + logs.join('\n'));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

const watchdog = setTimeout(() => {
  log('not ok - the whole test took more than ' + TOTAL_TIMEOUT_MS + ' ms');
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
watchdog.unref();

main().catch((e) => {
  log('not ok - ' + (e && e.stack || e));
  process.exitCode = 1;
});
