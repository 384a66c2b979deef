// Renders the Discourse trends dashboard's panels to SVG, as an analyst sees them in Kibana, from the results of
// the panel queries (deploy/kibana/panels/*.json) that DashboardPanelsIT ran against a node the job filled with the
// demo stream. No Kibana, no browser, no native canvas: Vega-Lite specs filled with the aggregation results,
// rendered headless by Vega's SVG renderer.
//
// Usage: node render.mjs RESULTS_DIR IMAGES_DIR   (deploy/kibana/render-panels.sh runs it)
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const [resultsDir, imagesDir] = process.argv.slice(2);
if (!resultsDir || !imagesDir) {
  console.error('usage: node render.mjs RESULTS_DIR IMAGES_DIR');
  process.exit(2);
}

// Kibana's default categorical palette (EUI), so the images look like the dashboard.
const PALETTE = ['#54B399', '#6092C0', '#D36086', '#9170B8', '#CA8EAE', '#D6BF57', '#B9A888', '#DA8B45', '#AA6556',
  '#E7664C'];
const PLATFORMS = ['bluesky', 'mastodon', 'reddit', 'hackernews'];
const SEVERITY_COLORS = { low: '#D6BF57', medium: '#DA8B45', high: '#E7664C' };
const CONFIG = {
  font: 'Inter, "Helvetica Neue", Arial, sans-serif',
  background: '#FFFFFF',
  padding: 12,
  view: { stroke: null },
  title: { anchor: 'start', fontSize: 15, fontWeight: 600, color: '#1a1c21', subtitleColor: '#69707d',
    subtitleFontSize: 11, offset: 12 },
  axis: { labelColor: '#535966', titleColor: '#535966', gridColor: '#eef0f3', domainColor: '#d3dae6',
    tickColor: '#d3dae6', labelFontSize: 11, titleFontSize: 11, titleFontWeight: 500, labelLimit: 400 },
  legend: { labelColor: '#535966', titleColor: '#535966', labelFontSize: 11, titleFontSize: 11, labelLimit: 280 },
};

function load(file) {
  const path = join(resultsDir, file);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run DashboardPanelsIT first (render-panels.sh does)`);
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

function subtitle(result, ...more) {
  const from = result.from.replace(':00Z', 'Z').replace('T', ' ');
  const to = result.to.replace(':00Z', 'Z').replace('T', ' ');
  return [result.answers, ...more,
    `Demo stream through the job, ${from} to ${to}; query: deploy/kibana/panels/${result.file}`];
}

async function render(name, spec) {
  const compiled = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG,
    ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(imagesDir, { recursive: true });
  const path = join(imagesDir, `dashboard-${name}.svg`);
  writeFileSync(path, svg + '\n');
  console.log(`wrote ${path}`);
}

function skip(name, result, why) {
  console.log(`skipped dashboard-${name}.svg: ${why} (${result.index} has no documents in the range)`);
}

// --- engagement by topic over time, spike starts marked ------------------------------------------------
async function engagementByTopic() {
  const result = load('engagement-by-topic.json');
  const spikes = load('spike-annotations.json');
  const topics = result.response.aggregations.topics.buckets;
  const rows = topics.flatMap((t) => t.over_time.buckets.map((b) => ({
    topic: t.key, time: b.key, engagement: b.engagement.value })));
  const marks = spikes.response.hits.hits.map((h) => ({ ...h._source, time: Date.parse(h._source.started_at) }));
  const note = marks.length > 0
    ? `Dashed lines: ${marks.length} spike starts from discourse-spikes (label: topic, platform).`
    : 'No spike markers: discourse-spikes has no documents yet (the job does not write spikes yet).';
  const x = { field: 'time', type: 'temporal', scale: { type: 'utc' },
    axis: { title: null, labelExpr: "utcFormat(datum.value, '%H:%M')", labelAngle: 0, tickCount: 12 } };
  const layers = [{
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.6, interpolate: 'linear' },
    encoding: {
      x,
      y: { field: 'engagement', type: 'quantitative', title: `Engagement per ${result.interval}` },
      color: { field: 'topic', type: 'nominal', title: 'Topic',
        scale: { domain: topics.map((t) => t.key), range: PALETTE }, legend: { orient: 'right' } },
    },
  }];
  if (marks.length > 0) {
    layers.push({ data: { values: marks }, mark: { type: 'rule', color: '#E7664C', strokeDash: [4, 3] },
      encoding: { x } });
    layers.push({ data: { values: marks.map((m) => ({ ...m, label: `${m.topic} (${m.platform})` })) },
      mark: { type: 'text', angle: 270, align: 'right', baseline: 'bottom', dx: -4, dy: -2, fontSize: 9,
        color: '#BD271E', y: 0 },
      encoding: { x, text: { field: 'label' } } });
  }
  await render('engagement-by-topic', {
    title: { text: 'Engagement by topic over time (spikes marked)', subtitle: subtitle(result, note) },
    width: 900, height: 300, layer: layers,
  });
}

// --- platform split per topic ---------------------------------------------------------------------------
async function platformSplit() {
  const result = load('platform-split.json');
  const topics = result.response.aggregations.topics.buckets;
  const rows = [];
  for (const t of topics) {
    let start = 0;
    for (const p of PLATFORMS) {
      const b = t.platforms.buckets.find((x) => x.key === p);
      const share = b ? b.posts.value / t.posts.value : 0;
      rows.push({ topic: t.key, platform: p, posts: b ? b.posts.value : 0, share, x0: start, x1: start + share,
        label: share >= 0.06 ? `${Math.round(share * 100)}%` : '' });
      start += share;
    }
  }
  const y = { field: 'topic', type: 'nominal', title: null, sort: topics.map((t) => t.key) };
  await render('platform-split', {
    title: { text: 'Platform split per topic (share of posts)', subtitle: subtitle(result,
      `Topics by posts, most first; ${topics.map((t) => `${t.key} ${t.posts.value}`).join(', ')}.`) },
    width: 620, height: { step: 30 }, data: { values: rows },
    layer: [
      { mark: { type: 'bar', stroke: '#fff', strokeWidth: 1 },
        encoding: { y,
          x: { field: 'x0', type: 'quantitative', title: 'Share of the topic\'s posts',
            axis: { format: '%' }, scale: { domain: [0, 1] } },
          x2: { field: 'x1' },
          color: { field: 'platform', type: 'nominal', title: 'Platform',
            scale: { domain: PLATFORMS, range: PALETTE }, legend: { orient: 'right' } } } },
      { transform: [{ calculate: '(datum.x0 + datum.x1) / 2', as: 'mid' }],
        mark: { type: 'text', color: '#fff', fontSize: 10, fontWeight: 600 },
        encoding: { y, x: { field: 'mid', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  });
}

// --- topic x platform heatmap ---------------------------------------------------------------------------
async function heatmap() {
  const result = load('topic-platform-heatmap.json');
  const topics = result.response.aggregations.topics.buckets;
  const rows = topics.flatMap((t) => PLATFORMS.map((p) => {
    const b = t.platforms.buckets.find((x) => x.key === p);
    return { topic: t.key, platform: p, engagement: b ? b.engagement.value : 0 };
  }));
  const max = Math.max(...rows.map((r) => r.engagement));
  const encoding = {
    x: { field: 'platform', type: 'nominal', title: null, sort: PLATFORMS, axis: { orient: 'top', labelAngle: 0 } },
    y: { field: 'topic', type: 'nominal', title: null, sort: topics.map((t) => t.key) },
  };
  await render('topic-platform-heatmap', {
    title: { text: 'Engagement: topic x platform', subtitle: subtitle(result) },
    width: 560, height: { step: 34 }, data: { values: rows },
    layer: [
      { mark: { type: 'rect', stroke: '#fff', strokeWidth: 2 },
        encoding: { ...encoding, color: { field: 'engagement', type: 'quantitative', title: 'Engagement',
          scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 11 },
        encoding: { ...encoding, text: { field: 'engagement', type: 'quantitative', format: ',d' },
          color: { condition: { test: `datum.engagement > ${max * 0.55}`, value: '#fff' }, value: '#1a1c21' } } },
    ],
  });
}

// --- spikes and why (when the job writes spikes) --------------------------------------------------------
async function activeSpikes() {
  const result = load('active-spikes.json');
  const rows = (result.response.aggregations?.spikes?.buckets ?? []).map((b) => {
    const s = b.latest.hits.hits[0]._source;
    const terms = [].concat(s.distinctive_terms ?? []).map((t) => t.term).slice(0, 5).join(', ');
    const why = [terms && `terms: ${terms}`, s.event?.name && `event: ${s.event.name}`,
      s.quiet_platforms?.length ? `quiet: ${[].concat(s.quiet_platforms).join(', ')}` : '']
      .filter(Boolean).join('  |  ');
    const [topic, platform, startedAt] = b.key.split('|');
    return { spike: `${topic} on ${platform}, ${startedAt.slice(11, 16)}`, ratio: b.ratio.value,
      severity: s.severity, status: s.status, label: `${s.status}  ${why}` };
  });
  if (rows.length === 0) {
    return skip('active-spikes', result, 'no spikes to show');
  }
  const y = { field: 'spike', type: 'nominal', title: null, sort: rows.map((r) => r.spike) };
  await render('active-spikes', {
    title: { text: 'Spikes and why (status open = active)', subtitle: subtitle(result) },
    width: 420, height: { step: 24 }, data: { values: rows },
    layer: [
      { mark: 'bar', encoding: { y, x: { field: 'ratio', type: 'quantitative', title: 'Peak / baseline' },
        color: { field: 'severity', type: 'nominal', title: 'Severity',
          scale: { domain: Object.keys(SEVERITY_COLORS), range: Object.values(SEVERITY_COLORS) },
          legend: { orient: 'bottom', direction: 'horizontal' } } } },
      { mark: { type: 'text', align: 'left', dx: 6, fontSize: 10, color: '#535966' },
        encoding: { y, x: { field: 'ratio', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  });
}

// --- event impact across platforms (when the job writes it) ---------------------------------------------
async function eventImpact() {
  const result = load('event-impact.json');
  const events = result.response.aggregations?.events?.buckets ?? [];
  const rows = events.flatMap((e) => e.platforms.buckets.map((p) => ({
    event: e.key, platform: p.key, lift: p.lift.value })));
  if (rows.length === 0) {
    return skip('event-impact', result, 'no event impact to show');
  }
  await render('event-impact', {
    title: { text: 'Event impact across platforms (peak lift)', subtitle: subtitle(result) },
    width: 620, height: { step: 14 }, data: { values: rows },
    mark: 'bar',
    encoding: {
      y: { field: 'event', type: 'nominal', title: null, sort: events.map((e) => e.key) },
      yOffset: { field: 'platform', sort: PLATFORMS },
      x: { field: 'lift', type: 'quantitative', title: 'Peak posts per bucket / baseline' },
      color: { field: 'platform', type: 'nominal', title: 'Platform', scale: { domain: PLATFORMS, range: PALETTE } },
    },
  });
}

await engagementByTopic();
await platformSplit();
await heatmap();
await activeSpikes();
await eventImpact();
