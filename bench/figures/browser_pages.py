"""The scripts the browser figure injects: timing hooks, and the floor page with no app code.

Times are read inside the page (performance.now()), so Playwright's round trips do not count.
First paint is the second animation frame after every node is in the graph (Cytoscape draws
on the frame after a change); a delta's apply time runs from the socket message's arrival
(a listener registered before the app's) to the second frame after the page shows its seq.
"""

TIMING_HOOKS = """
window.__bench = {messages: 0};
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', () => {
      window.__bench.messageAt = performance.now(); window.__bench.messages += 1;
    });
  }
};
window.__benchAfterPaint = (done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));
window.__benchWait = (ready, key) => {
  const poll = () => ready() ? window.__benchAfterPaint(t => { window.__bench[key] = t; })
                             : requestAnimationFrame(poll);
  poll();
};
"""

APP_PAINTED = (
    "n => window.__benchWait(() => window.meshwatch && window.meshwatch.cy && "
    "window.meshwatch.cy.nodes().length >= n, 'paint')"
)
APP_DELTA = "seq => window.__benchWait(() => window.meshwatch.lastSeq === seq, 'delta')"

FLOOR_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>html,body{margin:0;height:100%}#cy{width:100%;height:100%}</style>
<script src="/floor/cytoscape.min.js"></script></head><body><div id="cy"></div><script>
const socket = new WebSocket('ws://meshwatch.test/ws/v1/live');
let cy = null, lastSeq = null;
socket.onopen = () => socket.send(JSON.stringify({type: 'subscribe', topic: 'graph', params: {}}));
socket.onmessage = (ev) => {
  const m = JSON.parse(ev.data);
  if (m.type === 'snapshot') {
    const nodes = m.data.nodes.map(n => ({group: 'nodes', data: {id: n.id, label: n.name},
                                          position: n.position}));
    const edges = m.data.edges.map(e => ({group: 'edges', data: {id: e.id, source: e.source,
                                          target: e.target, rps: e.rps}}));
    cy = cytoscape({container: document.getElementById('cy'), elements: nodes.concat(edges),
                    layout: {name: 'preset'},
                    style: [{selector: 'node', style: {label: 'data(label)'}}]});
  } else if (m.type === 'delta') {
    cy.batch(() => (m.data.upsert.edges || []).forEach(e => cy.getElementById(e.id).data(e)));
  }
  lastSeq = m.seq;
  window.floor = {cy, get lastSeq() { return lastSeq; }};
};
</script></body></html>"""

FLOOR_PAINTED = (
    "n => window.__benchWait(() => window.floor && window.floor.cy && "
    "window.floor.cy.nodes().length >= n, 'paint')"
)
FLOOR_DELTA = "seq => window.__benchWait(() => window.floor.lastSeq === seq, 'delta')"
