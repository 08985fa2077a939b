/*
 * Web chat for the Thai citizen-service bot.
 *
 * Talks Rasa's socket.io protocol (bot.channels.rest.SafeSocketIOInput):
 *   client -> "session_request" {session_id}   server -> "session_confirm" id
 *   client -> "user_uttered" {message, session_id}
 *   server -> "bot_uttered" {text, quick_replies | buttons}
 *   server -> "bot_uttered" {custom: {cards: {alt, items: [...]}}}  (cards of the
 *             text just before: bot/replies/cards.py, bot/channels/cards.py)
 *
 * Safety rule of this file: nothing a user or the bot wrote is ever parsed as
 * HTML. Text goes in with textContent / createTextNode only; a https:// URL in
 * a bot message becomes an <a> built with createElement.
 */
(function () {
  "use strict";

  var SESSION_KEY = "webchat.session_id";
  var FONT_KEY = "webchat.font_size";
  var FONT_SIZES = ["normal", "large", "larger"];
  var TRANSCRIPT_KEY = "webchat.transcript.v1";
  var MAX_SAVED_MESSAGES = 100;
  var TYPING_TIMEOUT_MS = 20000;

  var TEXT = {
    connecting: "กำลังเชื่อมต่อ…",
    connected: "เชื่อมต่อแล้ว",
    reconnecting: "ขาดการเชื่อมต่อ กำลังลองใหม่…",
    typing: "กำลังพิมพ์คำตอบ…",
    buttonsLabel: "ตัวเลือกคำถาม",
    sourcesLabel: "ที่มา",
    you: "คุณ",
    bot: "ระบบ",
  };

  // ---- storage (localStorage may be disabled: then keep it in memory) ----

  var memoryStore = {};
  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memoryStore, key) ? memoryStore[key] : null;
    }
  }
  function save(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      memoryStore[key] = value;
    }
  }
  function forget(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* ignore */
    }
    delete memoryStore[key];
  }

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function sessionId() {
    var id = load(SESSION_KEY);
    if (!id || !/^[0-9a-zA-Z_-]{8,64}$/.test(id)) {
      id = newSessionId();
      save(SESSION_KEY, id);
    }
    return id;
  }

  // A transcript entry: {from: "user" | "bot", text: string, buttons?: [{title, payload}]}
  function loadTranscript() {
    var raw = load(TRANSCRIPT_KEY);
    if (!raw) return [];
    try {
      var data = JSON.parse(raw);
      if (!Array.isArray(data)) return [];
      return data
        .filter(function (m) {
          return m && (m.from === "user" || m.from === "bot") && typeof m.text === "string";
        })
        .map(function (m) {
          var entry = { from: m.from, text: m.text };
          var buttons = normalizeButtons(m.buttons);
          if (buttons.length) entry.buttons = buttons;
          var card = m.from === "bot" ? normalizeCards(m.cards) : null;
          if (card) entry.cards = card;
          return entry;
        });
    } catch (e) {
      return [];
    }
  }

  function saveTranscript(messages) {
    save(TRANSCRIPT_KEY, JSON.stringify(messages.slice(-MAX_SAVED_MESSAGES)));
  }

  // ---- message shapes ----

  // Both shapes Rasa's socket.io channel may send: quick_replies
  // [{content_type, title, payload}] and buttons [{title, payload}].
  function normalizeButtons(list) {
    if (!Array.isArray(list)) return [];
    var out = [];
    list.forEach(function (b) {
      if (!b || typeof b !== "object") return;
      var title = typeof b.title === "string" ? b.title : "";
      var payload = typeof b.payload === "string" ? b.payload : "";
      if (!payload && title) payload = title;
      if (!title && payload) title = payload;
      if (!payload.trim()) return;
      out.push({ title: title, payload: payload });
    });
    return out;
  }

  function str(value, max) {
    return typeof value === "string" ? value.slice(0, max || 2000) : "";
  }

  // The cards payload, validated and copied: only strings and known keys
  // survive, links must be https. Returns null when nothing usable is left.
  function normalizeCards(cards) {
    if (!cards || typeof cards !== "object" || !Array.isArray(cards.items)) return null;
    var items = [];
    cards.items.slice(0, 12).forEach(function (c) {
      if (!c || typeof c !== "object" || !str(c.title)) return;
      var links = [];
      (Array.isArray(c.links) ? c.links : []).forEach(function (l) {
        var href = l && typeof l.url === "string" ? safeHttpsUrl(l.url) : null;
        if (href) links.push({ label: str(l.label, 40) || href, url: href });
      });
      var actions = [];
      (Array.isArray(c.actions) ? c.actions : []).forEach(function (a) {
        var text = a ? str(a.text, 300) : "";
        if (text.trim() && text.charAt(0) !== "/") {
          actions.push({ label: str(a.label, 40) || text, text: text });
        }
      });
      items.push({
        title: str(c.title, 200),
        subtitle: str(c.subtitle, 300),
        lines: (Array.isArray(c.lines) ? c.lines : []).map(function (x) {
          return str(x, 1000);
        }).filter(Boolean),
        numbered: c.numbered === true,
        note: str(c.note, 1000),
        links: links,
        actions: actions,
      });
    });
    return items.length ? { alt: str(cards.alt, 400), items: items } : null;
  }

  function botMessageFrom(data) {
    if (typeof data === "string") return { text: data, buttons: [] };
    if (!data || typeof data !== "object") return null;
    if (data.custom && typeof data.custom === "object" && !data.text) {
      var cards = normalizeCards(data.custom.cards);
      return cards ? { text: "", buttons: [], cards: cards } : null;
    }
    var text = typeof data.text === "string" ? data.text : "";
    var buttons = normalizeButtons(data.quick_replies);
    if (!buttons.length) buttons = normalizeButtons(data.buttons);
    if (!text && !buttons.length) return null;
    return { text: text, buttons: buttons };
  }

  // ---- rendering (text only) ----

  // https:// URLs only; ASCII URL characters only, so Thai text right after a
  // URL ("...go.thค่ะ") is not swallowed into the link.
  var URL_RE = /https:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&*+,;=%]+/g;
  var TRAILING_PUNCT_RE = /[.,;:!?\]]+$/;

  function appendTextWithLinks(parent, text) {
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var url = match[0].replace(TRAILING_PUNCT_RE, "");
      var start = match.index;
      var href = safeHttpsUrl(url);
      if (!href) continue;
      if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
      var a = document.createElement("a");
      a.href = href;
      a.textContent = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.appendChild(a);
      last = start + url.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function safeHttpsUrl(candidate) {
    if (candidate.slice(0, 8) !== "https://") return null;
    try {
      var parsed = new URL(candidate);
      if (parsed.protocol !== "https:" || !parsed.hostname) return null;
      return parsed.href;
    } catch (e) {
      return null;
    }
  }

  // ---- the widget ----

  function Chat(root, io) {
    this.root = root;
    this.io = io;
    this.log = root.querySelector("#chat-log");
    this.form = root.querySelector("#chat-form");
    this.input = root.querySelector("#chat-input");
    this.status = root.querySelector("#chat-status");
    this.resetButton = root.querySelector("#chat-reset");
    this.fontSelect = root.querySelector("#chat-font-size");
    this.sessionId = sessionId();
    this.messages = loadTranscript();
    this.pending = []; // messages typed before the session was confirmed
    this.ready = false;
    this.typing = null;
    this.typingTimer = null;
    this.socket = null;
  }

  Chat.prototype.start = function () {
    var self = this;
    if (/[?&]embed=1(&|$)/.test(window.location.search)) {
      this.root.setAttribute("data-embed", "1");
    }
    this.setupFontSize();
    this.renderAll();
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value;
      if (!text.trim()) return;
      self.input.value = "";
      self.sendUser(text, text);
    });
    this.resetButton.addEventListener("click", function () {
      self.reset();
    });
    this.connect();
    this.input.focus();
  };

  // "ขนาดตัวอักษร": kept across reloads (localStorage, else memory).
  Chat.prototype.setupFontSize = function () {
    var self = this;
    var saved = load(FONT_KEY);
    var size = FONT_SIZES.indexOf(saved) >= 0 ? saved : "normal";
    this.applyFontSize(size);
    if (!this.fontSelect) return;
    this.fontSelect.value = size;
    this.fontSelect.addEventListener("change", function () {
      var chosen = FONT_SIZES.indexOf(self.fontSelect.value) >= 0 ? self.fontSelect.value : "normal";
      save(FONT_KEY, chosen);
      self.applyFontSize(chosen);
    });
  };

  Chat.prototype.applyFontSize = function (size) {
    document.documentElement.setAttribute("data-font-size", size);
  };

  Chat.prototype.connect = function () {
    var self = this;
    if (typeof this.io !== "function") {
      this.setStatus(TEXT.reconnecting, "offline");
      return;
    }
    var url = this.root.getAttribute("data-socket-url") || undefined;
    var path = this.root.getAttribute("data-socket-path") || "/socket.io";
    var socket = url ? this.io(url, { path: path }) : this.io({ path: path });
    this.socket = socket;
    this.setStatus(TEXT.connecting, "connecting");

    socket.on("connect", function () {
      self.ready = false;
      socket.emit("session_request", { session_id: self.sessionId });
    });
    socket.on("session_confirm", function (confirmed) {
      var id = typeof confirmed === "string" ? confirmed : confirmed && confirmed.session_id;
      if (id && id !== self.sessionId) {
        self.sessionId = id;
        save(SESSION_KEY, id);
      }
      self.ready = true;
      self.setStatus(TEXT.connected, "connected");
      self.flush();
    });
    socket.on("bot_uttered", function (data) {
      self.receiveBot(data);
    });
    socket.on("disconnect", function () {
      self.ready = false;
      self.setStatus(TEXT.reconnecting, "offline");
    });
    socket.on("connect_error", function () {
      self.ready = false;
      self.setStatus(TEXT.reconnecting, "offline");
    });
  };

  Chat.prototype.setStatus = function (text, state) {
    this.status.textContent = text;
    this.root.setAttribute("data-state", state);
  };

  // `payload` goes to the bot; `shown` is what the transcript shows.
  Chat.prototype.sendUser = function (payload, shown) {
    this.clearButtons();
    this.addMessage({ from: "user", text: shown });
    this.pending.push(payload);
    this.flush();
  };

  Chat.prototype.flush = function () {
    if (!this.ready || !this.socket) return;
    while (this.pending.length) {
      var message = this.pending.shift();
      this.socket.emit("user_uttered", { message: message, session_id: this.sessionId });
      this.showTyping();
    }
  };

  Chat.prototype.receiveBot = function (data) {
    var message = botMessageFrom(data);
    if (!message) return;
    this.hideTyping();
    if (message.cards) {
      this.attachCards(message.cards);
      return;
    }
    var entry = { from: "bot", text: message.text };
    if (message.buttons.length) {
      this.clearButtons();
      entry.buttons = message.buttons;
    }
    this.addMessage(entry);
  };

  // Cards belong to the bot text just before them (same answer): they are
  // shown in its place; without such a text they stand alone.
  Chat.prototype.attachCards = function (cards) {
    var last = this.messages[this.messages.length - 1];
    if (last && last.from === "bot" && !last.cards) {
      last.cards = cards;
      saveTranscript(this.messages);
      var nodes = this.log.querySelectorAll(".chat__message");
      var node = nodes[nodes.length - 1];
      if (node) this.log.replaceChild(this.renderMessage(last), node);
      this.scrollToEnd();
      return;
    }
    this.addMessage({ from: "bot", text: cards.alt, cards: cards });
  };

  Chat.prototype.addMessage = function (entry) {
    this.messages.push(entry);
    if (this.messages.length > MAX_SAVED_MESSAGES) {
      this.messages = this.messages.slice(-MAX_SAVED_MESSAGES);
    }
    saveTranscript(this.messages);
    this.log.insertBefore(this.renderMessage(entry), this.typing);
    this.scrollToEnd();
  };

  // Buttons answer the latest question: once the user says anything, every
  // row of buttons goes away (on screen and in the saved transcript).
  Chat.prototype.clearButtons = function () {
    var changed = false;
    this.messages.forEach(function (m) {
      if (m.buttons) {
        delete m.buttons;
        changed = true;
      }
    });
    if (changed) saveTranscript(this.messages);
    var rows = this.log.querySelectorAll(".chat__buttons");
    Array.prototype.forEach.call(rows, function (row) {
      row.parentNode.removeChild(row);
    });
  };

  Chat.prototype.renderAll = function () {
    while (this.log.firstChild) this.log.removeChild(this.log.firstChild);
    this.typing = null;
    var fragment = document.createDocumentFragment();
    var self = this;
    this.messages.forEach(function (entry) {
      fragment.appendChild(self.renderMessage(entry));
    });
    this.log.appendChild(fragment);
    this.scrollToEnd();
  };

  Chat.prototype.renderMessage = function (entry) {
    var self = this;
    var wrapper = document.createElement("div");
    wrapper.className = "chat__message chat__message--" + entry.from;
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = (entry.from === "user" ? TEXT.you : TEXT.bot) + ": ";
    var bubble = document.createElement("p");
    bubble.className = "chat__bubble";
    var body = document.createElement("span");
    body.className = "chat__text";
    if (entry.from === "bot") {
      appendTextWithLinks(body, entry.text);
    } else {
      body.appendChild(document.createTextNode(entry.text));
    }
    bubble.appendChild(who);
    bubble.appendChild(body);
    if (entry.cards) {
      wrapper.appendChild(this.renderCards(entry.cards, who));
    } else {
      wrapper.appendChild(bubble);
    }
    if (entry.buttons && entry.buttons.length) {
      var row = document.createElement("div");
      row.className = "chat__buttons";
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", TEXT.buttonsLabel);
      entry.buttons.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "chat__button";
        button.textContent = b.title;
        button.addEventListener("click", function () {
          self.sendUser(b.payload, b.title);
          self.input.focus();
        });
        row.appendChild(button);
      });
      wrapper.appendChild(row);
    }
    return wrapper;
  };

  // One card per item, built with DOM methods only (textContent rule).
  Chat.prototype.renderCards = function (cards, who) {
    var self = this;
    var list = document.createElement("div");
    list.className = "chat__cards";
    list.appendChild(who);
    cards.items.forEach(function (c) {
      var card = document.createElement("section");
      card.className = "chat__card";
      var title = document.createElement("h2");
      title.className = "chat__card-title";
      title.textContent = c.title;
      card.appendChild(title);
      if (c.subtitle) {
        var sub = document.createElement("p");
        sub.className = "chat__card-subtitle";
        sub.textContent = c.subtitle;
        card.appendChild(sub);
      }
      if (c.lines.length) {
        var ul = document.createElement(c.numbered ? "ol" : "ul");
        ul.className = "chat__card-lines";
        c.lines.forEach(function (line) {
          var li = document.createElement("li");
          appendTextWithLinks(li, line);
          ul.appendChild(li);
        });
        card.appendChild(ul);
      }
      if (c.note) {
        var note = document.createElement("p");
        note.className = "chat__card-note";
        appendTextWithLinks(note, c.note);
        card.appendChild(note);
      }
      if (c.links.length || c.actions.length) {
        var foot = document.createElement("div");
        foot.className = "chat__card-actions";
        c.links.forEach(function (l) {
          var a = document.createElement("a");
          a.className = "chat__card-link";
          a.href = l.url;
          a.textContent = l.label;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          a.setAttribute("aria-label", l.label + " " + c.title);
          foot.appendChild(a);
        });
        c.actions.forEach(function (act) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "chat__card-action";
          b.textContent = act.label;
          b.addEventListener("click", function () {
            self.sendUser(act.text, act.label);
            self.input.focus();
          });
          foot.appendChild(b);
        });
        card.appendChild(foot);
      }
      list.appendChild(card);
    });
    return list;
  };

  Chat.prototype.showTyping = function () {
    var self = this;
    if (!this.typing) {
      this.typing = document.createElement("p");
      this.typing.className = "chat__typing";
      this.typing.setAttribute("aria-hidden", "true");
      this.typing.textContent = TEXT.typing;
      this.log.appendChild(this.typing);
      this.scrollToEnd();
    }
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(function () {
      self.hideTyping();
    }, TYPING_TIMEOUT_MS);
  };

  Chat.prototype.hideTyping = function () {
    window.clearTimeout(this.typingTimer);
    if (this.typing && this.typing.parentNode) this.typing.parentNode.removeChild(this.typing);
    this.typing = null;
  };

  Chat.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  // A new conversation: forget the transcript and take a new session id (the
  // old conversation stays only in the server's tracker store).
  Chat.prototype.reset = function () {
    forget(TRANSCRIPT_KEY);
    forget(SESSION_KEY);
    this.messages = [];
    this.pending = [];
    this.hideTyping();
    this.renderAll();
    this.sessionId = sessionId();
    if (this.socket) {
      // A new connection leaves the old session's room on the server, so a
      // late answer to the old conversation cannot show up in the new one.
      this.ready = false;
      this.socket.disconnect();
      this.socket.connect();
    }
    this.input.focus();
  };

  var root = document.getElementById("chat");
  if (root) {
    var chat = new Chat(root, window.io);
    window.thaiWebChat = chat; // for debugging and tests
    chat.start();
  }
})();
