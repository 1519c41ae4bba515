// SpeechBot console: a dependency-free client of the public API (REST under v1/, the chat WebSocket, nothing else).
// Every text from the server is rendered with textContent, never as HTML.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = 'speechbot.token';
  const STATUS_RANK = { sending: 0, failed: 0, sent: 1, edited: 1, delivered: 2, read: 3 };
  const REACTIONS = ['👍', '❤️', '😂', '🎉', '👀'];
  const PING_EVERY_MS = 20000;
  const PONG_WITHIN_MS = 10000;
  const TYPING_REFRESH_MS = 3000;
  const TYPING_IDLE_MS = 4000;

  const state = {
    token: null,
    me: null,
    chats: [],
    chat: null,            // the open chat's ChatView
    msgs: new Map(),       // message id -> entry {id, seq, view, el, text, lastIndex, chunks, final, readers}
    pending: new Map(),    // client_message_id -> {content, el, sent}
    chunkSeen: new Set(),  // bot messages that had a chunk on the current connection
    typers: new Map(),     // user id -> {text, timer}
    ws: null,
    wsGen: 0,              // bumps on every (re)connect or close, so handlers of an old socket fall silent
    live: false,
    attempt: 0,
    reconnectTimer: null,
    pingDeadline: 0,
    lastPing: 0,
    markedSeq: 0,
    markTimer: null,
    typingSentAt: 0,
    typingIdleTimer: null,
  };
  window.speechbot = { state }; // for debugging from the devtools console

  // ---- REST ---------------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message || code || ('HTTP ' + status));
      this.status = status;
      this.code = code;
      this.details = details;
    }
  }

  // Paths are relative to the page, so the console also works behind a reverse proxy under a prefix.
  async function api(method, path, body, token = state.token) {
    const headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, 'NETWORK', 'The server is not reachable');
    }
    let json = null;
    if ((res.headers.get('content-type') || '').startsWith('application/json')) {
      json = await res.json().catch(() => null);
    }
    if (!res.ok || !json || json.success === false) {
      const err = new ApiError(res.status, json && json.error, json && json.message, json && json.details);
      if (res.status === 401 && token === state.token && state.token) {
        signOut('Signed out: ' + err.message);
      }
      throw err;
    }
    return json.data;
  }

  const chatPath = (chatId) => 'v1/chats/' + encodeURIComponent(chatId);
  const msgPath = (chatId, messageId) => chatPath(chatId) + '/messages/' + encodeURIComponent(messageId);

  // ---- sign in / out --------------------------------------------------------------------------------------------

  function tokenSubject(token) {
    const part = token.split('.')[1];
    if (!part) throw new Error('not a JWT');
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    if (!claims.sub) throw new Error('the token names no user (sub)');
    return claims.sub;
  }

  async function signIn(token) {
    token = token.trim().replace(/^Bearer\s+/i, '');
    let me;
    try {
      me = tokenSubject(token);
    } catch (e) {
      toast('That is not a usable token: ' + e.message);
      return;
    }
    try {
      await api('GET', 'v1/chats?limit=1', undefined, token); // proves the server accepts it
    } catch (e) {
      toast('Sign-in failed: ' + e.message);
      return;
    }
    state.token = token;
    state.me = me;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('signin').hidden = true;
    $('app').hidden = false;
    $('sign-out').hidden = false;
    $('whoami').textContent = me;
    await loadChats();
  }

  function signOut(reason) {
    closeSocket();
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    state.me = null;
    state.chat = null;
    $('app').hidden = true;
    $('signin').hidden = false;
    $('sign-out').hidden = true;
    $('whoami').textContent = '';
    setConn('offline');
    if (reason) toast(reason);
    showDevLogin();
  }

  // The dev login exists only while the server runs on its generated secret; the server says so in the page.
  function showDevLogin() {
    $('dev-form').hidden = document.body.dataset.devLogin !== 'true';
  }

  async function devLogin(userId) {
    try {
      const data = await api('POST', 'v1/dev/token', { user_id: userId }, null);
      await signIn(data.token);
    } catch (e) {
      toast('Dev login failed: ' + e.message);
    }
  }

  // ---- chats ------------------------------------------------------------------------------------------------------

  async function loadChats() {
    if (!state.token) return;
    try {
      const data = await api('GET', 'v1/chats?limit=100');
      state.chats = data.chats;
      const open = state.chat && data.chats.find((c) => c.id === state.chat.id);
      if (open) setChat(open); else renderChatList();
    } catch (e) {
      if (e.status !== 401) toast('Could not load chats: ' + e.message);
    }
  }

  function renderChatList() {
    const list = $('chat-list');
    list.replaceChildren();
    for (const c of state.chats) {
      const li = document.createElement('li');
      li.dataset.chatId = c.id;
      li.classList.toggle('active', !!state.chat && state.chat.id === c.id);
      const title = document.createElement('span');
      title.className = 'title';
      title.textContent = c.title;
      const sub = document.createElement('span');
      sub.className = 'sub';
      sub.textContent = c.id + ' · ' + c.members.length + (c.members.length === 1 ? ' member' : ' members')
          + (c.bot_enabled ? ' · bot' : '');
      li.append(title, sub);
      li.addEventListener('click', () => openChat(c.id));
      list.append(li);
    }
  }

  async function createChat(title, botEnabled) {
    try {
      const data = await api('POST', 'v1/chats', { title, bot_enabled: botEnabled });
      state.chats.unshift(data.chat);
      renderChatList();
      await openChat(data.chat.id);
    } catch (e) {
      toast('Could not create the chat: ' + e.message);
    }
  }

  async function addMember(userId) {
    if (!state.chat) return;
    try {
      const data = await api('POST', chatPath(state.chat.id) + '/members', { user_id: userId });
      setChat(data.chat);
      toast(data.added ? userId + ' added' : userId + ' already is a member', 'info');
    } catch (e) {
      toast('Could not add ' + userId + ': ' + e.message);
    }
  }

  async function setBot(enabled) {
    if (!state.chat) return;
    try {
      const data = await api('PATCH', chatPath(state.chat.id), { bot_enabled: enabled });
      setChat(data.chat);
    } catch (e) {
      $('chat-bot').checked = state.chat.bot_enabled;
      toast('Could not change the bot: ' + e.message);
    }
  }

  function setChat(chat) {
    state.chat = chat;
    const i = state.chats.findIndex((c) => c.id === chat.id);
    if (i >= 0) state.chats[i] = chat; else state.chats.unshift(chat);
    $('chat-title').textContent = chat.title;
    $('chat-id').textContent = chat.id;
    $('chat-members').textContent = chat.members.join(', ');
    $('chat-bot').checked = chat.bot_enabled;
    $('chat-bot').disabled = chat.owner_id !== state.me;
    $('member-form').hidden = chat.owner_id !== state.me;
    renderChatList();
  }

  async function openChat(chatId) {
    closeSocket();
    state.msgs.clear();
    state.pending.clear();
    state.typers.forEach((t) => clearTimeout(t.timer));
    state.typers.clear();
    state.markedSeq = 0;
    $('messages').replaceChildren();
    renderTyping();
    let chat;
    let page;
    try {
      chat = (await api('GET', chatPath(chatId))).chat;
      page = await api('GET', chatPath(chatId) + '/messages?order=desc&limit=100');
    } catch (e) {
      toast('Could not open the chat: ' + e.message);
      return;
    }
    setChat(chat);
    $('chat').hidden = false;
    $('empty').hidden = true;
    for (const m of page.messages.slice().reverse()) upsert(m);
    scrollToEnd();
    state.attempt = 0;
    connect();
    $('composer-input').focus();
  }

  // ---- the WebSocket ---------------------------------------------------------------------------------------------

  function chatNumber() {
    return state.chat.id.slice('chat_'.length);
  }

  // Resume after the newest message held in final form; an answer still streaming is taken again from the replay.
  function resumeAfter() {
    let newest = 0;
    let firstOpen = Infinity;
    for (const m of state.msgs.values()) {
      if (!m.final) firstOpen = Math.min(firstOpen, m.seq);
      else newest = Math.max(newest, m.seq);
    }
    const seq = Math.min(newest, firstOpen - 1);
    return seq > 0 ? 'msg_' + chatNumber() + '_' + seq : null;
  }

  function connect() {
    if (!state.chat || !state.token) return;
    clearTimeout(state.reconnectTimer);
    if (!navigator.onLine) {
      setConn('offline');
      return; // the "online" event reconnects
    }
    const gen = ++state.wsGen;
    const url = new URL(chatPath(state.chat.id) + '/ws', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', state.token);
    const after = resumeAfter();
    if (after) url.searchParams.set('after', after);
    setConn(state.attempt > 0 ? 'reconnecting' : 'connecting');
    state.live = false;
    state.chunkSeen.clear();
    let opened = false;
    const ws = new WebSocket(url);
    state.ws = ws;
    ws.onopen = () => {
      if (gen !== state.wsGen) return;
      opened = true;
      state.pingDeadline = 0;
      state.lastPing = Date.now();
      send({ type: 'connection_established', data: { chat_id: state.chat.id, timestamp: new Date().toISOString() } });
      // No resume point (empty chat): ask for everything, so what was sent since the page loaded is not missed.
      if (!after) send({ type: 'resume', data: { after: '' } });
    };
    ws.onmessage = (e) => {
      if (gen !== state.wsGen) return;
      state.pingDeadline = 0;
      let event;
      try {
        event = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      handle(event);
    };
    ws.onclose = (e) => {
      if (gen !== state.wsGen) return;
      dropped(opened ? 'closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')' : 'could not connect', opened);
    };
  }

  // The connection is gone (or judged dead): forget it and try again with backoff.
  function dropped(why, wasOpen) {
    const ws = state.ws;
    state.wsGen++;
    state.ws = null;
    state.live = false;
    if (ws && ws.readyState <= WebSocket.OPEN) {
      try { ws.close(4000, 'client reconnecting'); } catch (e) { /* already closing */ }
    }
    if (!state.chat) return;
    clearTypers();
    if (!wasOpen && state.attempt >= 1) {
      // Refused before opening twice in a row: maybe the token expired or we were removed from the chat.
      api('GET', chatPath(state.chat.id)).then(() => scheduleReconnect(why), (e) => {
        if (e.status === 404) {
          setConn('offline');
          toast('You are no longer a member of ' + state.chat.title);
        } else if (e.status !== 401) {
          scheduleReconnect(why);
        }
      });
      return;
    }
    scheduleReconnect(why);
  }

  function scheduleReconnect(why) {
    if (!navigator.onLine) {
      setConn('offline');
      return;
    }
    const base = Math.min(15000, 500 * 2 ** Math.min(state.attempt, 5));
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    state.attempt++;
    setConn('reconnecting', 'reconnecting in ' + (delay / 1000).toFixed(1) + ' s (' + why + ')');
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  function closeSocket() {
    clearTimeout(state.reconnectTimer);
    state.wsGen++;
    if (state.ws) {
      try { state.ws.close(1000, 'bye'); } catch (e) { /* ignore */ }
    }
    state.ws = null;
    state.live = false;
    setConn('offline');
  }

  function send(event) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      state.ws.send(JSON.stringify(event));
      return true;
    }
    return false;
  }

  // Application-level heartbeat: a half-open connection (laptop lid, lost Wi-Fi) shows up within seconds.
  setInterval(() => {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    if (state.pingDeadline && now > state.pingDeadline) {
      dropped('no answer to ping', true);
      return;
    }
    if (!state.pingDeadline && now - state.lastPing >= PING_EVERY_MS) {
      state.lastPing = now;
      state.pingDeadline = now + PONG_WITHIN_MS;
      send({ type: 'ping', data: {} });
    }
  }, 1000);

  window.addEventListener('offline', () => {
    if (state.ws) dropped('network lost', true);
    setConn('offline');
  });
  window.addEventListener('online', () => {
    if (state.chat && !state.ws) {
      state.attempt = Math.max(state.attempt, 1);
      connect();
    }
  });

  function setConn(s, title) {
    const el = $('conn-state');
    el.dataset.state = s;
    el.className = 'conn conn-' + s;
    el.textContent = s;
    el.title = title || '';
  }

  // ---- server events ---------------------------------------------------------------------------------------------

  function handle(ev) {
    const d = ev.data || {};
    switch (ev.type) {
      case 'new_message':
      case 'message_updated':
        upsert(d.message);
        break;
      case 'bot_response_chunk':
        onChunk(d);
        break;
      case 'message_status':
        onStatus(d);
        break;
      case 'typing_indicator':
        onTyping(d);
        break;
      case 'reaction_updated':
        onReaction(d);
        break;
      case 'message_deleted':
        onDeleted(d);
        break;
      case 'resume_complete':
        onLive();
        break;
      case 'error':
        onError(d);
        break;
      default:
        break; // connection_established, pong: nothing to show
    }
  }

  function onLive() {
    state.live = true;
    state.attempt = 0;
    setConn('live');
    // Anything written while offline (or unconfirmed when the connection dropped) goes (again) now: the
    // client_message_id makes a repeat harmless, the server answers it with the stored copy.
    for (const [cid, p] of state.pending) {
      if (!p.failed) sendPending(cid, p);
    }
    scheduleMarkRead();
  }

  function onChunk(d) {
    let m = state.msgs.get(d.message_id);
    if (!m) {
      m = upsert({ id: d.message_id, chat_id: state.chat.id, role: 'bot', content: '', status: 'typing',
                   timestamp: new Date().toISOString(), metadata: null, reactions: [], attachments: [] });
    }
    if (m.final) return;
    if (!state.chunkSeen.has(m.id)) {
      // The first chunk on a connection holds the whole answer so far (catch-up) or starts it (index 0).
      state.chunkSeen.add(m.id);
      if (d.chunk !== '' || !d.is_complete) m.text = d.chunk;
    } else if (d.chunk_index > m.lastIndex) {
      m.text += d.chunk;
    } else {
      return; // a repeat
    }
    m.lastIndex = d.chunk_index;
    m.chunks++;
    m.el.dataset.chunks = String(m.chunks);
    if (d.is_complete) m.el.dataset.complete = 'true';
    m.el.classList.toggle('streaming', !d.is_complete);
    const near = nearBottom();
    renderBody(m);
    renderTyping();
    if (near) scrollToEnd();
  }

  function onStatus(d) {
    const m = state.msgs.get(d.message_id);
    if (!m) return;
    if ((STATUS_RANK[d.status] ?? 0) < (STATUS_RANK[m.view.status] ?? 0)) return; // never downgrade
    m.view.status = d.status;
    if (d.status === 'read' && d.user_id) m.readers.add(d.user_id);
    renderTicks(m);
  }

  function onTyping(d) {
    if (d.user_id === state.me) return;
    const old = state.typers.get(d.user_id);
    if (old) clearTimeout(old.timer);
    if (d.is_typing) {
      const text = d.typing_text || (d.user_id + ' is typing...');
      // The server ends typing itself; this only guards against a lost "stopped" event.
      const timer = setTimeout(() => { state.typers.delete(d.user_id); renderTyping(); }, 30000);
      state.typers.set(d.user_id, { text, timer });
    } else {
      state.typers.delete(d.user_id);
    }
    renderTyping();
  }

  function clearTypers() {
    state.typers.forEach((t) => clearTimeout(t.timer));
    state.typers.clear();
    renderTyping();
  }

  function renderTyping() {
    const texts = [...state.typers.values()].map((t) => t.text);
    const streaming = [...state.msgs.values()].some((m) => m.view.role === 'bot' && !m.final);
    if (streaming && !state.typers.has('bot')) texts.push('SpeechBot is writing...');
    $('typing').textContent = texts.join(' · ');
  }

  function onReaction(d) {
    const m = state.msgs.get(d.message_id);
    if (!m) return;
    const reactions = [];
    for (const t of d.total_reactions || []) {
      for (const u of t.users) reactions.push({ emoji: t.emoji, user_id: u });
    }
    m.view.reactions = reactions;
    renderReactions(m);
  }

  function onDeleted(d) {
    const m = state.msgs.get(d.message_id);
    if (!m) return;
    if (d.deletion_type === 'hard' || d.deleted_for === 'me') {
      m.el.remove();
      state.msgs.delete(d.message_id);
      return;
    }
    m.view.deleted_at = d.deleted_at;
    m.view.content = '';
    m.text = '';
    render(m);
  }

  function onError(d) {
    const p = d.client_message_id && state.pending.get(d.client_message_id);
    if (p) {
      p.failed = true;
      p.el.classList.add('failed');
      p.el.querySelector('.ticks').textContent = 'not sent: ' + d.message;
    }
    toast((d.error_code ? d.error_code + ': ' : '') + (d.message || 'error'));
  }

  // ---- messages --------------------------------------------------------------------------------------------------

  function seqOf(id) {
    const i = id.lastIndexOf('_');
    return i < 0 ? 0 : Number(id.slice(i + 1)) || 0;
  }

  function authorOf(view) {
    if (view.role === 'bot') return 'SpeechBot';
    return (view.metadata && typeof view.metadata.sender === 'string') ? view.metadata.sender : 'user';
  }

  function isMine(view) {
    return view.role !== 'bot' && authorOf(view) === state.me;
  }

  // Adds or replaces a message (a new_message, message_updated, a REST answer or a history page).
  function upsert(view) {
    if (!view || !state.chat || view.chat_id !== state.chat.id) return null;
    if (view.client_message_id && state.pending.has(view.client_message_id) && isMine(view)) {
      state.pending.get(view.client_message_id).el.remove();
      state.pending.delete(view.client_message_id);
    }
    let m = state.msgs.get(view.id);
    const final = !(view.role === 'bot' && view.status === 'typing');
    if (!m) {
      m = { id: view.id, seq: seqOf(view.id), view, el: makeElement(), text: view.content || '', lastIndex: -1,
            chunks: 0, final, readers: new Set() };
      state.msgs.set(view.id, m);
      insertInOrder(m);
    } else {
      if (!final && m.final) return m; // a late "typing" copy must not undo the finished answer
      const rank = STATUS_RANK[m.view.status] ?? 0;
      m.view = view;
      if ((STATUS_RANK[view.status] ?? 0) < rank && view.status !== 'edited') {
        view.status = Object.keys(STATUS_RANK).find((k) => STATUS_RANK[k] === rank);
      }
      if (final || !state.chunkSeen.has(view.id)) m.text = view.content || '';
      m.final = final;
    }
    if (final) state.chunkSeen.delete(view.id);
    render(m);
    if (view.role === 'bot') renderTyping();
    if (!isMine(view)) scheduleMarkRead();
    return m;
  }

  function makeElement() {
    return $('message-template').content.firstElementChild.cloneNode(true);
  }

  function insertInOrder(m) {
    const list = $('messages');
    const near = nearBottom();
    let before = null;
    for (const li of list.children) {
      const s = Number(li.dataset.seq || Infinity);
      if (s > m.seq) { before = li; break; }
    }
    list.insertBefore(m.el, before);
    if (near) scrollToEnd();
  }

  function render(m) {
    const v = m.view;
    const el = m.el;
    el.dataset.messageId = m.id;
    el.dataset.seq = String(m.seq);
    el.dataset.role = v.role;
    el.classList.toggle('bot', v.role === 'bot');
    el.classList.toggle('mine', isMine(v));
    el.classList.toggle('deleted', !!v.deleted_at);
    el.classList.toggle('streaming', !m.final);
    el.classList.toggle('failed', v.status === 'failed');
    if (m.final) el.dataset.complete = 'true';
    el.querySelector('.author').textContent = authorOf(v);
    el.querySelector('.time').textContent = formatTime(v.timestamp);
    el.querySelector('.time').title = v.timestamp || '';
    el.querySelector('.edited').hidden = !v.edited_at || !!v.deleted_at;
    renderBody(m);
    renderAttachments(m);
    renderReactions(m);
    renderTicks(m);
    const mine = isMine(v);
    el.querySelector('.edit').hidden = !mine || !!v.deleted_at;
    el.querySelector('.delete').hidden = !!v.deleted_at;
    el.querySelector('.react').hidden = !!v.deleted_at || !m.final;
    el.querySelector('.edit').onclick = () => startEdit(m);
    el.querySelector('.delete').onclick = () => askDelete(m);
    el.querySelector('.react').onclick = () => showPicker(m);
  }

  // Bot answers are markdown; user messages are shown as typed.
  function renderBody(m) {
    const body = m.el.querySelector('.body');
    if (body.classList.contains('editing')) return;
    const markdown = m.view.role === 'bot' && !m.view.deleted_at;
    body.classList.toggle('md', markdown);
    if (m.view.deleted_at) body.textContent = 'message deleted';
    else if (markdown) renderMarkdown(body, m.text);
    else body.textContent = m.text;
  }

  function renderTicks(m) {
    const t = m.el.querySelector('.ticks');
    const v = m.view;
    m.el.dataset.status = v.status || '';
    t.classList.remove('read');
    t.title = '';
    if (!isMine(v) || v.deleted_at) {
      t.textContent = v.role === 'bot' && v.status === 'failed' ? 'failed' : '';
      return;
    }
    if (v.status === 'read') {
      t.textContent = '✓✓ read';
      t.classList.add('read');
      if (m.readers.size) t.title = 'read by ' + [...m.readers].join(', ');
    } else if (v.status === 'delivered') {
      t.textContent = '✓✓';
      t.title = 'delivered';
    } else {
      t.textContent = '✓';
      t.title = 'sent';
    }
  }

  function renderReactions(m) {
    const box = m.el.querySelector('.reactions');
    box.replaceChildren();
    const totals = new Map();
    for (const r of m.view.reactions || []) {
      const t = totals.get(r.emoji) || { users: [] };
      t.users.push(r.user_id);
      totals.set(r.emoji, t);
    }
    for (const [emoji, t] of totals) {
      const b = document.createElement('button');
      b.type = 'button';
      const mine = t.users.includes(state.me);
      b.className = mine ? 'me' : '';
      b.textContent = emoji + ' ' + t.users.length;
      b.title = t.users.join(', ');
      b.dataset.emoji = emoji;
      b.onclick = () => react(m, emoji, mine ? 'remove' : 'add');
      box.append(b);
    }
  }

  function renderAttachments(m) {
    const box = m.el.querySelector('.attachments');
    box.replaceChildren();
    if (m.view.deleted_at) return;
    for (const a of m.view.attachments || []) {
      const link = document.createElement('a');
      link.href = '#';
      link.textContent = '📎 ' + a.filename + ' (' + a.size + ' bytes)';
      link.onclick = (e) => { e.preventDefault(); download(a); };
      box.append(link);
    }
  }

  // Attachments need the bearer token, which a plain link cannot carry: fetch, then hand the browser a blob.
  async function download(a) {
    try {
      const res = await fetch('v1/attachments/' + encodeURIComponent(a.id), { headers: { Authorization: 'Bearer ' + state.token } });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = a.filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      toast('Download failed: ' + e.message);
    }
  }

  // ---- sending, typing, read receipts ------------------------------------------------------------------------------

  function sendMessage(content) {
    if (!state.chat || !content.trim()) return;
    const cid = 'web_' + Date.now().toString(36) + '_' + Math.random().toString(36).slice(2, 10);
    const el = makeElement();
    el.classList.add('mine', 'pending');
    el.dataset.clientMessageId = cid;
    el.querySelector('.author').textContent = state.me;
    el.querySelector('.time').textContent = formatTime(new Date().toISOString());
    el.querySelector('.body').textContent = content;
    el.querySelector('.ticks').textContent = 'sending…';
    el.querySelector('.actions').hidden = true;
    $('messages').append(el);
    scrollToEnd();
    const p = { content, el, failed: false };
    state.pending.set(cid, p);
    stopTyping();
    if (state.live) sendPending(cid, p);
  }

  function sendPending(cid, p) {
    send({
      type: 'send_message',
      data: {
        content: p.content,
        content_type: 'text',
        client_message_id: cid,
        // The API shows no author id on messages: the console names the sender in the metadata (display only).
        metadata: { client_timestamp: new Date().toISOString(), sender: state.me,
                    device_info: { platform: 'web-console', app_version: '1.0.0' } },
      },
    });
  }

  function onComposerInput() {
    const now = Date.now();
    if (now - state.typingSentAt > TYPING_REFRESH_MS) {
      state.typingSentAt = now;
      send({ type: 'typing', data: { is_typing: true } });
    }
    clearTimeout(state.typingIdleTimer);
    state.typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(state.typingIdleTimer);
    if (state.typingSentAt) {
      state.typingSentAt = 0;
      send({ type: 'typing', data: { is_typing: false } });
    }
  }

  // Read receipts: whatever is on screen while the page is visible counts as read (one mark_read for the newest).
  function scheduleMarkRead() {
    clearTimeout(state.markTimer);
    state.markTimer = setTimeout(markRead, 150);
  }

  function markRead() {
    if (!state.live || document.visibilityState === 'hidden') return;
    let newest = null;
    for (const m of state.msgs.values()) {
      if (m.final && !isMine(m.view) && (!newest || m.seq > newest.seq)) newest = m;
    }
    if (newest && newest.seq > state.markedSeq) {
      state.markedSeq = newest.seq;
      send({ type: 'mark_read', data: { message_id: newest.id } });
    }
  }

  document.addEventListener('visibilitychange', scheduleMarkRead);

  // ---- edit, delete, react (REST; the WebSocket brings everyone the result) ----------------------------------------

  function startEdit(m) {
    const body = m.el.querySelector('.body');
    if (body.classList.contains('editing')) return;
    body.classList.add('editing');
    body.replaceChildren();
    const box = document.createElement('div');
    box.className = 'edit-box';
    const input = document.createElement('textarea');
    input.value = m.view.content;
    input.rows = 2;
    const row = document.createElement('div');
    row.className = 'row';
    const save = document.createElement('button');
    save.type = 'button';
    save.textContent = 'Save';
    save.className = 'save';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Cancel';
    row.append(save, cancel);
    box.append(input, row);
    body.append(box);
    input.focus();
    const done = () => { body.classList.remove('editing'); render(m); };
    cancel.onclick = done;
    save.onclick = async () => {
      try {
        const data = await api('PUT', msgPath(state.chat.id, m.id), { content: input.value });
        body.classList.remove('editing');
        upsert(data.message);
      } catch (e) {
        toast('Edit failed: ' + e.message);
        done();
      }
    };
    input.onkeydown = (e) => {
      if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); save.click(); }
      if (e.key === 'Escape') done();
    };
  }

  function askDelete(m) {
    const foot = m.el.querySelector('.foot');
    if (foot.querySelector('.confirm')) return;
    const box = document.createElement('span');
    box.className = 'confirm row';
    const mk = (label, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.onclick = action;
      box.append(b);
    };
    if (isMine(m.view) || state.chat.owner_id === state.me) {
      mk('for everyone', () => remove(m, 'everyone'));
    }
    mk('for me', () => remove(m, 'me'));
    mk('✕', () => box.remove());
    foot.prepend(box);
  }

  async function remove(m, deleteFor) {
    try {
      await api('DELETE', msgPath(state.chat.id, m.id) + '?delete_for=' + deleteFor);
      if (deleteFor === 'me') onDeleted({ message_id: m.id, deletion_type: 'soft', deleted_for: 'me' });
    } catch (e) {
      toast('Delete failed: ' + e.message);
    }
  }

  function showPicker(m) {
    const foot = m.el.querySelector('.foot');
    const old = foot.querySelector('.picker');
    if (old) { old.remove(); return; }
    const box = document.createElement('span');
    box.className = 'picker';
    for (const emoji of REACTIONS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = emoji;
      b.dataset.emoji = emoji;
      b.onclick = () => { box.remove(); react(m, emoji, 'add'); };
      box.append(b);
    }
    foot.prepend(box);
  }

  async function react(m, emoji, action) {
    try {
      const data = await api('POST', msgPath(state.chat.id, m.id) + '/reactions', { emoji, action });
      onReaction(data);
    } catch (e) {
      toast('Reaction failed: ' + e.message);
    }
  }

  // ---- a small, safe markdown subset (paragraphs, lists, quotes, headings, fences, bold, italics, code) -----------
  // Builds DOM nodes from text: nothing the bot writes is ever parsed as HTML.

  function node(tag, text) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function renderMarkdown(container, text) {
    container.replaceChildren();
    const lines = text.split('\n');
    let block = null; // the open paragraph, list or quote
    let kind = null;
    const open = (k, tag) => {
      if (kind !== k) {
        block = node(tag);
        kind = k;
        container.append(block);
        return true;
      }
      return false;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      let m;
      if (line.startsWith('```')) {
        const code = [];
        for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
        const pre = node('pre');
        pre.append(node('code', code.join('\n')));
        container.append(pre);
        kind = null;
      } else if (!line.trim()) {
        kind = null;
      } else if ((m = /^\s*[-*+]\s+(.*)$/.exec(line))) {
        open('ul', 'ul');
        const li = node('li');
        inline(li, m[1]);
        block.append(li);
      } else if ((m = /^\s*\d+[.)]\s+(.*)$/.exec(line))) {
        open('ol', 'ol');
        const li = node('li');
        inline(li, m[1]);
        block.append(li);
      } else if ((m = /^>\s?(.*)$/.exec(line))) {
        if (!open('quote', 'blockquote')) block.append(node('br'));
        inline(block, m[1]);
      } else if ((m = /^#{1,6}\s+(.*)$/.exec(line))) {
        const h = node('p');
        const strong = node('strong');
        inline(strong, m[1]);
        h.append(strong);
        container.append(h);
        kind = null;
      } else {
        if (!open('p', 'p')) block.append(node('br'));
        inline(block, line);
      }
    }
  }

  function inline(parent, text) {
    const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|((?<![\w])_[^_\s][^_]*_(?![\w]))/g;
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      if (m.index > last) parent.append(text.slice(last, m.index));
      const t = m[0];
      if (t.startsWith('`')) parent.append(node('code', t.slice(1, -1)));
      else if (t.startsWith('**')) parent.append(node('strong', t.slice(2, -2)));
      else parent.append(node('em', t.slice(1, -1)));
      last = m.index + t.length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  // ---- bits ------------------------------------------------------------------------------------------------------

  function formatTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function nearBottom() {
    const list = $('messages');
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function scrollToEnd() {
    const list = $('messages');
    list.scrollTop = list.scrollHeight;
  }

  function toast(text, kind) {
    const el = document.createElement('div');
    el.className = 'toast' + (kind ? ' ' + kind : '');
    el.textContent = text;
    $('toasts').append(el);
    setTimeout(() => el.remove(), 6000);
  }

  // ---- wiring ------------------------------------------------------------------------------------------------------

  function wire() {
    $('token-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token-input').value); });
    $('dev-form').addEventListener('submit', (e) => { e.preventDefault(); devLogin($('dev-user').value.trim()); });
    $('sign-out').addEventListener('click', () => signOut());
    $('refresh-chats').addEventListener('click', loadChats);
    $('new-chat-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const title = $('new-chat-title').value.trim();
      if (title) createChat(title, $('new-chat-bot').checked);
      $('new-chat-title').value = '';
    });
    $('member-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const user = $('member-input').value.trim();
      if (user) addMember(user);
      $('member-input').value = '';
    });
    $('chat-bot').addEventListener('change', (e) => setBot(e.target.checked));
    const input = $('composer-input');
    $('composer').addEventListener('submit', (e) => {
      e.preventDefault();
      sendMessage(input.value);
      input.value = '';
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        $('composer').requestSubmit();
      }
    });
    input.addEventListener('input', onComposerInput);
    window.addEventListener('focus', loadChats);
    setInterval(loadChats, 30000);
  }

  wire();
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    signIn(saved).then(() => { if (!state.token) showDevLogin(); });
  } else {
    showDevLogin();
  }
})();
