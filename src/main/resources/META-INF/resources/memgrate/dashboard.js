"use strict";
/** Every 5 s, or every ?refresh=N seconds (at least 1). */
const REFRESH_MILLIS = Math.max(1, Number(new URLSearchParams(location.search).get("refresh")) || 5) * 1000;
const SIDES = [["primary", "Primary (old cluster)"], ["secondary", "Secondary (new cluster)"]];
/** Short, so a cluster's table fits half a 1440-pixel window; the whole meaning in the badge's tooltip. */
const ADMISSION_LABEL = { served: "served", withdrawn: "withdrawn", waiting: "waiting" };
const ADMISSION_MEANING = { served: "served to clients", withdrawn: "withdrawn by the plan: no longer served",
                            waiting: "waiting to be admitted by the plan" };

/** An element with attributes and children (strings become text: nothing from the status is parsed as HTML). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function percent(ratio, digits = 1) {
  return typeof ratio === "number" && isFinite(ratio) ? (ratio * 100).toFixed(digits) + " %" : "—";
}

function count(n) {
  return typeof n === "number" ? n.toLocaleString("en-US") : "—";
}

/** "host|ip|port" as served, or "host:port", to the "host:port" both name a node by. */
function nodeKey(name) {
  const parts = String(name).split("|");
  return parts.length === 3 ? parts[0] + ":" + parts[2] : String(name);
}

/**
 * A node's "host:port" as the page shows it: the host, the name a plan takes (plans refuse host:port), with the port
 * after it, smaller, to tell nodes of one host apart.
 */
function nodeName(hostAndPort) {
  const text = String(hostAndPort);
  const colon = text.lastIndexOf(":");
  if (colon < 0) return text;
  return [el("span", { class: "host" }, text.slice(0, colon)), el("span", { class: "port" }, text.slice(colon))];
}

/** The host alone of a "host:port": the name a plan takes. */
function planName(hostAndPort) {
  const text = String(hostAndPort);
  const colon = text.lastIndexOf(":");
  return colon < 0 ? text : text.slice(0, colon);
}

/** An SVG element with attributes. */
function svgEl(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

/**
 * The hit ratio history Memgrate keeps (the last hour) as an inline SVG line over its time span, 0 to 100 % from
 * bottom to top; intervals without gets are left out.
 */
function sparkline(history) {
  const width = 96, height = 26;
  const points = (history || []).filter(p => typeof p.hitRatio === "number" && p.at);
  if (points.length === 0) return el("span", { class: "none" }, "no data");
  const end = Date.parse(points[points.length - 1].at);
  const start = Math.min(Date.parse(points[0].at), end - 1);
  const x = at => width - 3 - (end - Date.parse(at)) / (end - start) * (width - 6);
  const y = ratio => height - 3 - Math.max(0, Math.min(1, ratio)) * (height - 6);
  const last = points[points.length - 1];
  const svg = svgEl("svg", { class: "spark", width, height, viewBox: `0 0 ${width} ${height}`, "data-points": points.length });
  const title = svgEl("title", {});
  title.textContent = `hit ratio since ${new Date(start).toLocaleTimeString("en-GB")}: ${percent(points[0].hitRatio)} to ${percent(last.hitRatio)}`;
  svg.append(title,
    svgEl("line", { x1: 0, x2: width, y1: y(0), y2: y(0), stroke: "#d7dbe0" }),
    svgEl("polyline", { points: points.map(p => x(p.at).toFixed(1) + "," + y(p.hitRatio).toFixed(1)).join(" "),
                        fill: "none", stroke: "#1a5fb4", "stroke-width": 1.5 }),
    svgEl("circle", { cx: x(last.at), cy: y(last.hitRatio), r: 2.5, fill: "#1a5fb4" }));
  return svg;
}

/**
 * The nodes of one cluster: from the node statistics when Memgrate collects them, else from the upstream's node list,
 * what is served and the plan (then without statistics).
 */
function nodesOf(status, side) {
  if (status.nodes && Array.isArray(status.nodes[side]) && status.nodes[side].length > 0) return status.nodes[side];
  const upstream = (status.upstreams || []).find(u => u.side === side);
  const served = new Set(((status.served && status.served.byCluster && status.served.byCluster[side]) || []).map(nodeKey));
  return ((upstream && upstream.nodes) || []).map(name => ({
    node: nodeKey(name),
    admission: served.has(nodeKey(name)) ? "served" : side === "primary" ? "withdrawn" : "waiting",
    reachable: null
  }));
}

function nodeRow(node) {
  const unreachable = node.reachable === false;
  const state = el("td", {},
    el("span", { class: "badge " + node.admission, title: ADMISSION_MEANING[node.admission] },
      ADMISSION_LABEL[node.admission] || node.admission),
    unreachable ? [" ", el("span", { class: "badge unreachable" }, "unreachable")] : null,
    node.warm === true ? [" ", el("span", { class: "badge warm" }, "warm")] : null,
    node.warm === false && !unreachable ? [" ", el("span", { class: "badge cold" }, "warming up")] : null,
    unreachable && node.unreachableReason ? el("span", { class: "why", title: node.unreachableReason }, node.unreachableReason) : null,
    node.warm === false && node.notWarmBecause ? el("span", { class: "why cold", title: node.notWarmBecause }, node.notWarmBecause) : null);
  return el("tr", { class: "node", "data-node": node.node, "data-admission": node.admission,
                    "data-state": unreachable ? "unreachable" : node.admission },
    el("td", { class: "name", title: node.node }, nodeName(node.node)),
    state,
    el("td", { class: "num hit-ratio" }, percent(node.hitRatio)),
    el("td", { class: "num gets" }, typeof node.getsPerSecond === "number" ? node.getsPerSecond.toFixed(1) : "—"),
    el("td", { class: "num items" }, count(node.items)),
    el("td", { class: "spark-cell" }, node.hitRatioHistory ? sparkline(node.hitRatioHistory) : el("span", { class: "none" }, "—")));
}

function renderCluster(status, side, title) {
  const section = document.querySelector(`section.cluster[data-side="${side}"]`);
  const upstream = (status.upstreams || []).find(u => u.side === side);
  const nodes = nodesOf(status, side);
  const facts = upstream
    ? [upstream.endpoint, " · version ", upstream.version ?? "—",
       upstream.engineVersion ? " · memcached " + upstream.engineVersion : null,
       upstream.secondsSinceSuccess != null ? ` · answered ${upstream.secondsSinceSuccess} s ago` : null,
       upstream.lastError ? [" · ", el("span", { class: "error" }, "failing: " + upstream.lastError)] : null]
    : ["not configured"];
  section.replaceChildren(
    el("h3", {}, title),
    el("div", { class: "upstream" }, facts),
    nodes.length === 0 ? el("p", { class: "none" }, "no nodes") :
      el("div", { class: "table-scroll" }, el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "node"), el("th", {}, "state"), el("th", { class: "num" }, "hit ratio"),
          el("th", { class: "num" }, "gets/s"), el("th", { class: "num" }, "items"), el("th", {}, "last hour"))),
        el("tbody", {}, nodes.map(nodeRow)))));
}

function renderVerdict(status) {
  const banner = document.getElementById("verdict");
  const statsOff = status.nodes && status.nodes.statsInterval === "0";
  const next = statsOff ? null : status.nextStepVerdict;
  let verdict, heading, body = [];
  if (!status.ready) {
    verdict = "wait";
    heading = "Not ready: no complete configuration served yet";
  } else if (next && next.safe === true) {
    verdict = "safe";
    heading = "Next step: safe to take";
  } else if (next && next.safe === false) {
    verdict = "wait";
    heading = "Next step: wait";
  } else {
    verdict = "unknown";
    heading = "Next step: no verdict";
    body.push(el("div", { class: "detail" }, statsOff
      ? "Node statistics are off (memgrate.nodes.stats-interval is 0): check each node's hit ratio yourself."
      : "This Memgrate reports no node statistics: check each node's hit ratio yourself."));
  }
  if (next && Array.isArray(next.reasons) && next.reasons.length > 0) {
    body.push(el("ul", {}, next.reasons.map(reason => el("li", {}, reason))));
  }
  if (next && next.servedHitRatio != null) {
    body.push(el("div", { class: "detail" }, "served hit ratio " + percent(next.servedHitRatio),
      next.servedHitRatioBeforeLastStep != null ? ", before the last step " + percent(next.servedHitRatioBeforeLastStep) : null,
      next.lastAdmitted ? ", last admitted " + planName(next.lastAdmitted) : null));
  }
  banner.setAttribute("data-verdict", verdict);
  banner.replaceChildren(el("h2", {}, heading), ...body);
}

function renderAlerts(status) {
  const alerts = [];
  if (status.held) {
    alerts.push(el("div", { class: "alert bad", id: "held" }, `Holding back version ${status.held.version}: ${status.held.reason}`));
  }
  const refusal = status.plan && status.plan.lastRefusal;
  if (refusal) {
    alerts.push(el("div", { class: "alert bad", id: "plan-refused" }, `Plan refused (${refusal.reason}): ${refusal.message}`));
  }
  for (const upstream of status.upstreams || []) {
    if (upstream.versionDecreases > 0) {
      alerts.push(el("div", { class: "alert" }, `The ${upstream.side} cluster's version went down ${upstream.versionDecreases} time(s)`));
    }
  }
  document.getElementById("alerts").replaceChildren(...alerts);
}

// The autopilot's state, one line under the verdict; hidden while it is off.
function renderAutopilot(status) {
  const line = document.getElementById("autopilot");
  const pilot = status.autopilot;
  const state = pilot ? pilot.state : "off";
  line.setAttribute("data-state", state);
  line.hidden = state === "off";
  if (state === "off") return;
  const next = pilot.nextStep;
  const rolledBack = (pilot.history || []).filter(step => step.rolledBack).length;
  // the parts that do not apply left out: replaceChildren would print them as "null"
  line.replaceChildren(...[el("b", {}, "Autopilot: " + state),
    state === "waiting" && pilot.waitingFor.length > 0 ? " for " + pilot.waitingFor.join("; ") : null,
    state === "paused" ? " because " + pilot.pausedBecause : null,
    next && state !== "complete" ? ` · next: ${next.action} ${next.host} (${percent(next.predictedShare)} of keys)` : null,
    ` · ${(pilot.history || []).length} step(s) taken` + (rolledBack > 0 ? `, ${rolledBack} rolled back` : ""),
    pilot.whatNext ? el("div", { class: "detail" }, "Next: " + pilot.whatNext) : null].filter(part => part !== null));
}

function renderSteps(status) {
  const movement = status.keyMovement || {};
  const steps = movement.nextSteps || [];
  const schemes = [...new Set(steps.flatMap(step => Object.keys(step.keysMoved || {})))];
  const declared = movement.clientHashing;
  const chosen = movement.gentlestNextStep;
  // the gentlest step: the declared scheme's next step; without one, fewest keys moved on average over the schemes
  const mean = step => { const shares = Object.values(step.keysMoved || {}); return shares.reduce((a, b) => a + b, 0) / Math.max(1, shares.length); };
  const gentlest = declared ? steps.findIndex(step => chosen && step.action === chosen.action && step.host === chosen.host)
    : steps.length === 0 ? -1 : steps.reduce((best, step, i) => mean(step) < mean(steps[best]) ? i : best, 0);
  const share = ratio => el("td", { class: "num " + (ratio >= 0.5 ? "high" : ratio <= 0.25 ? "low" : "") }, percent(ratio));
  const last = movement.lastChange;
  document.getElementById("next-steps").replaceChildren(
    el("h3", {}, "Next steps: share of keys each would move"),
    steps.length === 0 ? el("p", { class: "none" }, "no step left: nothing to admit or withdraw") :
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "step"),
          schemes.map(s => el("th", { class: "num" + (s === declared ? " declared" : "") }, s)))),
        el("tbody", {}, steps.map((step, i) => el("tr", { class: "step" + (i === gentlest ? " gentlest" : ""),
            "data-step": step.action + " " + step.host },
          el("td", { class: "name" }, step.action + " " + step.host),
          schemes.map(s => share(step.keysMoved[s])))))),
    el("p", { class: "note" }, movement.nextStepsCurrent === false ? (movement.nextStepsFor
        ? `Worked out for version ${movement.nextStepsFor.servedVersion}; being worked out again after the last change. `
        : "Being worked out. ") : null,
      declared && gentlest >= 0 ? `Highlighted: the next step for ${declared} (memgrate.migration.client-hashing), the one`
        + " that moves the fewest keys for it, admissions first. "
        : steps.length > 1 ? "Highlighted: the step that moves the fewest keys on average. " : null,
      "Clients on consistent hashing (ketama) move about 1/N of the keys per step; array-mod clients most of them. ",
      last ? `Last change: version ${last.fromVersion} → ${last.toVersion}, moved ` +
        Object.entries(last.keysMoved).map(([s, r]) => `${s} ${percent(r)}`).join(", ") + "." : null));
}

function render(status) {
  document.getElementById("served-version").textContent = status.served ? status.served.version : "—";
  document.getElementById("plan-revision").textContent =
    status.plan ? (status.plan.revision ?? "none applied") : "no plan";
  document.getElementById("served-count").textContent = status.served ? status.served.nodes.length : "—";
  const next = status.nextStepVerdict;
  document.getElementById("served-hit-ratio").textContent = percent(next && next.servedHitRatio);
  renderVerdict(status);
  renderAutopilot(status);
  renderAlerts(status);
  for (const [side, title] of SIDES) renderCluster(status, side, title);
  renderSteps(status);
}

async function refresh() {
  const stamp = document.getElementById("refreshed");
  try {
    const response = await fetch("status", { cache: "no-store", signal: AbortSignal.timeout ? AbortSignal.timeout(4000) : undefined });
    if (!response.ok) throw new Error("HTTP " + response.status);
    render(await response.json());
    stamp.className = "";
    stamp.textContent = "updated " + new Date().toLocaleTimeString("en-GB") + ", every " + REFRESH_MILLIS / 1000 + " s";
    document.body.dataset.refreshes = Number(document.body.dataset.refreshes) + 1;
  } catch (error) {
    stamp.className = "stale";
    stamp.textContent = "cannot read /memgrate/status (" + error.message + "): showing what was read before";
  } finally {
    setTimeout(refresh, REFRESH_MILLIS);
  }
}
refresh();
