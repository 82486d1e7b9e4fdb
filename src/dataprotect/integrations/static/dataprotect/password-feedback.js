// dataprotect password feedback: a framework-free ES module.
//
// Attach it to any <input type="password">: it waits until typing pauses
// (debounce), POSTs the password as JSON to the feedback endpoint (never in
// a URL, never stored), and renders a meter, the verdict and the advice in
// an ARIA live region.  Markup-only use:
//
//   <input id="pw" type="password" autocomplete="new-password">
//   <div data-password-feedback-for="pw" data-endpoint="/password-feedback"
//        data-inputs="username email" data-locale="de"></div>
//   <script type="module" src="/password-feedback.js"></script>
//
// or from a module: import {attach} from "/password-feedback.js";
// attach(input, {endpoint, inputs, locale, container, delay, csrfToken}).

const LABELS = {
  en: {
    title: "Password strength",
    scores: ["Very weak", "Weak", "Fair", "Strong", "Very strong"],
    checking: "Checking…",
    crackTime: "Time to crack offline: {time}",
    breached: "Breached",
    rateLimited: "Too many checks. Try again in {seconds} s.",
    failed: "The password could not be checked.",
  },
  de: {
    title: "Passwortstärke",
    scores: ["Sehr schwach", "Schwach", "Mittel", "Stark", "Sehr stark"],
    checking: "Wird geprüft…",
    crackTime: "Zeit zum Knacken (offline): {time}",
    breached: "Geleakt",
    rateLimited: "Zu viele Prüfungen. Versuchen Sie es in {seconds} s erneut.",
    failed: "Das Passwort konnte nicht geprüft werden.",
  },
  fr: {
    title: "Robustesse du mot de passe",
    scores: ["Très faible", "Faible", "Moyen", "Fort", "Très fort"],
    checking: "Vérification…",
    crackTime: "Temps pour le casser hors ligne : {time}",
    breached: "Divulgué",
    rateLimited: "Trop de vérifications. Réessayez dans {seconds} s.",
    failed: "Le mot de passe n'a pas pu être vérifié.",
  },
  it: {
    title: "Robustezza della password",
    scores: ["Molto debole", "Debole", "Discreta", "Forte", "Molto forte"],
    checking: "Verifica in corso…",
    crackTime: "Tempo per violarla offline: {time}",
    breached: "Trapelata",
    rateLimited: "Troppe verifiche. Riprova tra {seconds} s.",
    failed: "Non è stato possibile verificare la password.",
  },
};

let counter = 0;

function pickLocale(value) {
  const primary = String(value || "").toLowerCase().split(/[-_]/)[0];
  return Object.hasOwn(LABELS, primary) ? primary : "en";
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

function element(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  node.className = className;
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  return node;
}

/**
 * Attach password feedback to *input*.
 *
 * options: endpoint (URL, default "/password-feedback"), inputs (elements
 * whose values are context words: user name, email, site), locale (a
 * string or a function returning one), container (where the widget is
 * drawn; default: a new element after the input), delay (debounce in ms,
 * default 300), csrfToken (sent as X-CSRFToken).
 *
 * Returns {check, detach}: check() runs a check now (a promise).
 */
export function attach(input, options = {}) {
  const endpoint = options.endpoint || "/password-feedback";
  const delay = options.delay ?? 300;
  const contextInputs = options.inputs || [];
  const localeOf = () =>
    pickLocale(
      typeof options.locale === "function"
        ? options.locale()
        : options.locale || document.documentElement.lang || navigator.language,
    );
  let container = options.container;
  if (!container) {
    container = element("div", "");
    input.insertAdjacentElement("afterend", container);
  }
  const id = `dp-password-feedback-${++counter}`;
  container.classList.add("dp-password-feedback");
  container.replaceChildren();
  const label = element("span", "dp-pf-label", { id: `${id}-label` });
  const meter = element("meter", "dp-pf-meter", {
    min: "0",
    max: "4",
    low: "2",
    high: "3",
    optimum: "4",
    value: "0",
    "aria-labelledby": `${id}-label`,
  });
  const live = element("div", "dp-pf-live", {
    id: `${id}-status`,
    role: "status",
    "aria-live": "polite",
    "aria-atomic": "true",
  });
  const verdict = element("p", "dp-pf-verdict");
  const advice = element("ul", "dp-pf-advice");
  const crack = element("p", "dp-pf-crack");
  live.append(verdict, advice, crack);
  container.append(label, meter, live);
  container.hidden = true;
  const described = (input.getAttribute("aria-describedby") || "")
    .split(/\s+/)
    .filter(Boolean);
  input.setAttribute("aria-describedby", [...described, live.id].join(" "));

  let timer = null;
  let inflight = null;
  let sequence = 0;

  function show(state, message, items = [], crackText = "", spoken = "") {
    const labels = LABELS[localeOf()];
    container.hidden = false;
    container.dataset.state = state;
    // The score is shown by the meter and its label; in the live region
    // it is for screen readers only (announced with the verdict).
    const score = element("span", "dp-pf-sr");
    score.textContent = spoken;
    verdict.replaceChildren(...(spoken ? [score, " "] : []), message);
    advice.replaceChildren(
      ...items.map((text) => {
        const li = document.createElement("li");
        li.textContent = text;
        return li;
      }),
    );
    crack.textContent = crackText;
    label.textContent = labels.title;
  }

  function render(answer) {
    const labels = LABELS[localeOf()];
    const score = Math.max(0, Math.min(4, Number(answer.score) || 0));
    meter.value = score;
    meter.setAttribute("aria-valuetext", labels.scores[score]);
    container.dataset.score = String(score);
    container.dataset.breached = answer.breached ? "true" : "false";
    container.dataset.acceptable = answer.acceptable ? "true" : "false";
    const items = [];
    for (const v of answer.violations || []) items.push(v.message);
    if (answer.warning) items.push(answer.warning.message);
    for (const s of answer.suggestions || []) items.push(s.message);
    // The verdict is the first violation when there is one: not twice.
    const shown = items.filter((text) => text !== answer.verdict);
    const scoreText = `${labels.title}: ${labels.scores[score]}.`;
    show(
      answer.acceptable ? "acceptable" : "refused",
      `${answer.breached ? `${labels.breached}. ` : ""}${answer.verdict}`,
      shown,
      answer.crack_time ? fill(labels.crackTime, { time: answer.crack_time.display }) : "",
      scoreText,
    );
    label.textContent = scoreText;
  }

  async function check() {
    const password = input.value;
    const mine = ++sequence;
    if (inflight) inflight.abort();
    if (!password) {
      container.hidden = true;
      container.dataset.state = "empty";
      verdict.textContent = "";
      advice.replaceChildren();
      crack.textContent = "";
      meter.value = 0;
      return;
    }
    const controller = new AbortController();
    inflight = controller;
    const locale = localeOf();
    const headers = { "Content-Type": "application/json" };
    if (options.csrfToken) headers["X-CSRFToken"] = options.csrfToken;
    container.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify({
          password,
          user_inputs: contextInputs.map((el) => el.value).filter(Boolean),
          locale,
        }),
        cache: "no-store",
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (mine !== sequence) return;
      if (response.status === 429) {
        const seconds = Number(response.headers.get("Retry-After")) || 1;
        show("rate-limited", fill(LABELS[locale].rateLimited, { seconds }));
        return;
      }
      if (!response.ok) {
        show("error", LABELS[locale].failed);
        return;
      }
      const answer = await response.json();
      if (mine === sequence) render(answer);
    } catch (error) {
      if (error.name !== "AbortError" && mine === sequence) {
        show("error", LABELS[locale].failed);
      }
    } finally {
      if (mine === sequence) container.removeAttribute("aria-busy");
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, delay);
  }
  function contextChanged() {
    if (input.value) schedule();
  }
  input.addEventListener("input", schedule);
  for (const el of contextInputs) el.addEventListener("input", contextChanged);

  return {
    check,
    detach() {
      clearTimeout(timer);
      if (inflight) inflight.abort();
      input.removeEventListener("input", schedule);
      for (const el of contextInputs) {
        el.removeEventListener("input", contextChanged);
      }
      container.replaceChildren();
    },
  };
}

/** Attach to every [data-password-feedback-for] element under *root*. */
export function attachAll(root = document) {
  const attached = [];
  for (const container of root.querySelectorAll("[data-password-feedback-for]")) {
    if (container.dataset.passwordFeedbackAttached) continue;
    const input = document.getElementById(container.dataset.passwordFeedbackFor);
    if (!input) continue;
    container.dataset.passwordFeedbackAttached = "true";
    const byId = (name) => document.getElementById(name);
    const inputs = (container.dataset.inputs || "")
      .split(/\s+/)
      .filter(Boolean)
      .map(byId)
      .filter(Boolean);
    const switcher = byId(container.dataset.localeFrom || "");
    const widget = attach(input, {
      container,
      endpoint: container.dataset.endpoint,
      inputs,
      csrfToken: container.dataset.csrfToken,
      delay: container.dataset.delay ? Number(container.dataset.delay) : undefined,
      locale: () =>
        (switcher && switcher.value) ||
        container.dataset.locale ||
        document.documentElement.lang,
    });
    if (switcher) {
      switcher.addEventListener("change", () => {
        document.documentElement.lang = switcher.value;
        if (input.value) widget.check();
      });
    }
    attached.push(widget);
  }
  return attached;
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => attachAll());
  } else {
    attachAll();
  }
}
