// A small consumer of the API, type-checked (tsc --strict) against the types openapi-typescript
// generates from the OpenAPI document (check.sh). If the document stops typing a value this code
// reads, or a new body block type appears that renderBlock() does not handle, this stops compiling.

import type { components, paths } from "./generated/openapi";

// The paths a client reads (GET); POST /preview/tokens/ is the one write.
type ReadPath = { [P in keyof paths]: paths[P]["get"] extends { responses: unknown } ? P : never }[keyof paths];
type Responses<Path extends ReadPath> = NonNullable<paths[Path]["get"]>["responses"];

export type ConditionDetail = Responses<"/api/v1/conditions/{slug}/">[200]["content"]["application/json"];
export type TherapyDetail = Responses<"/api/v1/therapies/{slug}/">[200]["content"]["application/json"];
export type PageAtPath = Responses<"/api/v1/pages/">[200]["content"]["application/json"];
export type Redirect = Responses<"/api/v1/pages/">[301]["content"]["application/json"];
export type BodyBlock = components["schemas"]["BodyBlock"];

const API = "https://api.example-clinic.test/api/v1";

export async function getCondition(slug: string): Promise<ConditionDetail> {
  const response = await fetch(`${API}/conditions/${encodeURIComponent(slug)}/`);
  if (!response.ok) throw new Error(`${response.status} for condition ${slug}`);
  return (await response.json()) as ConditionDetail;
}

// A site that never sends `fields=` types its data with the Full components: every property
// present, one channel's shapes (the web's here), so no `!`, `?? ` or casts are needed.
export type Condition = components["schemas"]["ConditionDetailFull"];

export async function getFullCondition(slug: string): Promise<Condition> {
  const response = await fetch(`${API}/conditions/${encodeURIComponent(slug)}/`);
  if (!response.ok) throw new Error(`${response.status} for condition ${slug}`);
  return (await response.json()) as Condition;
}

/** The condition's page head: its title, breadcrumbs and the first paragraph as HTML. */
export function conditionHead(condition: Condition): string {
  const trail = condition.breadcrumbs.map((crumb) => `<a href="${escape(crumb.path)}">${escape(crumb.title)}</a>`);
  const first = condition.body.find((block) => block.type === "paragraph");
  const paragraph: string = first?.type === "paragraph" ? first.value : "";
  return `<nav>${trail.join(" / ")}</nav><h1>${escape(condition.title.toUpperCase())}</h1>${paragraph}`;
}

/** A condition's causes, most common first. `fields=` may leave `causes` out: then none. */
export function causeLines(condition: ConditionDetail): string[] {
  const causes = [...(condition.causes ?? [])];
  causes.sort((a, b) => Number(b.is_most_common) - Number(a.is_most_common));
  return causes.map((cause) => {
    const title: string = cause.title;
    const slug: string = cause.slug;
    const prevalence = cause.prevalence ? ` (${cause.prevalence})` : "";
    return `${title}${prevalence} /causes/${slug}/${cause.is_most_common ? " [most common]" : ""}`;
  });
}

/** A therapy's safety information as lines of text. */
export function safetyLines(therapy: TherapyDetail): string[] {
  const safety = therapy.safety;
  if (safety === undefined) return []; // left out by `fields=`
  const lines: string[] = [];
  if (safety.off_label) lines.push(`Off-label use (approved for: ${safety.approved_use})`);
  for (const contraindication of safety.contraindications) {
    const note: string = contraindication.note;
    lines.push(`Not for: ${contraindication.name}${note ? ` (${note})` : ""}`);
  }
  for (const effect of safety.side_effects) {
    const severity: "common" | "serious" = effect.severity;
    lines.push(`${severity === "serious" ? "Serious side effect" : "Side effect"}: ${effect.name}`);
  }
  if (safety.source !== null) lines.push(`Source: ${safety.source.citation}`);
  return lines;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

/** One body block as HTML, narrowing on `type`. */
export function renderBlock(block: BodyBlock): string {
  switch (block.type) {
    case "heading":
      return `<h${block.value.level}>${escape(block.value.text)}</h${block.value.level}>`;
    case "paragraph":
      return block.value; // already client HTML
    case "image": {
      const image = block.value;
      if (image === null) return ""; // the image was deleted
      const medium = image.renditions.medium;
      const alt = image.decorative ? "" : escape(image.alt);
      return `<img src="${medium.webp.url}" width="${medium.width}" height="${medium.height}" alt="${alt}">`;
    }
    case "callout":
      return `<aside class="callout-${block.value.tone}">${block.value.text}</aside>`;
    case "evidence_claim": {
      const sources = block.value.references.flatMap((reference) =>
        reference === null ? [] : [`<li>${escape(reference.citation)}</li>`],
      );
      return `${block.value.claim}<ol>${sources.join("")}</ol>`;
    }
    default: {
      const unhandled: never = block;
      return unhandled;
    }
  }
}

/** The website's router: what is at a path, by type, or where it moved. */
export function describe(page: PageAtPath | Redirect): string {
  if ("redirect_to" in page) {
    return `moved to ${page.redirect_to.path}${page.permanent ? " for good" : ""}`;
  }
  switch (page.type) {
    case "condition":
      return `condition with ${(page.symptoms ?? []).map((s) => s.name).join(", ")}`;
    case "cause":
      return `cause: ${page.resulting_pain_syndrome ?? ""}`;
    case "treatment":
      return `treatment (${page.category ?? "uncategorised"})`;
    case "therapy":
      return `therapy by ${page.provider_name ?? ""}`;
    case "home":
      return `home page with ${page.sections.map((section) => section.title).join(", ")}`;
    case "section":
      return `${page.title}: ${page.items.count} ${page.item_type} items, ${page.breadcrumbs.length} above`;
  }
}

// The website's structure: the header and footer from the navigation, sitemap.xml ------------

export type Navigation = Responses<"/api/v1/navigation/">[200]["content"]["application/json"];
export type SitemapPage = Responses<"/api/v1/sitemap/">[200]["content"]["application/json"];

/** The header's menu as nested lists of links. */
export function menuHtml(navigation: Navigation): string {
  const link = (entry: { title: string; path: string }) => `<a href="${escape(entry.path)}">${escape(entry.title)}</a>`;
  const items = navigation.items.map((item) => {
    const children = item.children.map((child) => `<li>${link(child)}</li>`).join("");
    return `<li>${link(item)}${children ? `<ul>${children}</ul>` : ""}</li>`;
  });
  const home = navigation.home === null ? "" : link(navigation.home);
  return `<nav>${home}<ul>${items.join("")}</ul></nav>`;
}

export type SearchResults = Responses<"/api/v1/search/">[200]["content"]["application/json"];
export type Section = components["schemas"]["SectionWeb"];

/** A section's page (e.g. /conditions/): breadcrumbs, its intro, its items, a link to more. */
export function sectionPage(section: Section): string {
  const trail = section.breadcrumbs.map((crumb) => `<a href="${escape(crumb.path)}">${escape(crumb.title)}</a>`);
  const items = section.items.results.map(
    (item) => `<li><a href="${escape(item.url ?? "")}">${escape(item.title ?? "")}</a> ${escape(item.summary ?? "")}</li>`,
  );
  const more = section.items.next === null ? "" : `<a rel="next" href="?offset=${section.items.results.length}">More</a>`;
  return `<nav>${trail.join(" / ")}</nav><h1>${escape(section.title)}</h1><p>${escape(section.intro)}</p><ul>${items.join("")}</ul>${more}`;
}

/** Search results as a list: each item's type, title and summary (they may be trimmed by fields=). */
export function searchResults(results: SearchResults): string {
  const items = results.results.map((item) => {
    const title = "title" in item && item.title !== undefined ? item.title : `#${item.id}`;
    return `<li>[${item.type}] ${escape(title)}</li>`;
  });
  return `<p>${results.count} found</p><ol>${items.join("")}</ol>`;
}

/** One page of the sitemap as sitemap.xml <url> elements, with hreflang alternates. */
export function sitemapUrls(page: SitemapPage): string {
  return page.results
    .map((entry) => {
      const alternates = entry.alternates
        .map((alt) => `<xhtml:link rel="alternate" hreflang="${alt.locale}" href="${escape(alt.url)}"/>`)
        .join("");
      const lastmod = entry.lastmod === null ? "" : `<lastmod>${entry.lastmod}</lastmod>`;
      return `<url><loc>${escape(entry.url)}</loc>${lastmod}${alternates}</url>`;
    })
    .join("\n");
}

// The app channel (?channel=app) ------------------------------------------------------------

export type RichTextNode = components["schemas"]["RichTextNode"];
export type TherapyDetailApp = components["schemas"]["TherapyDetailApp"];
export type SyncPage = Responses<"/api/v1/sync/">[200]["content"]["application/json"];

/** Rich text nodes as the lines a native view lays out, narrowing on `type`. */
export function nodeText(node: RichTextNode): string {
  switch (node.type) {
    case "text":
      return node.marks.includes("bold") ? node.text.toUpperCase() : node.text;
    case "line_break":
      return "\n";
    case "link": {
      const label = node.children.map(nodeText).join("");
      if (node.target === null) return `${label} <${node.href}>`;
      if (node.target.type === "document") return `${label} (${node.target.file_type.toUpperCase()}) <${node.href}>`;
      return `${label} [${node.target.type}:${node.target.slug}]`;
    }
    case "heading":
      return `${"#".repeat(node.level)} ${node.children.map(nodeText).join("")}\n`;
    case "paragraph":
    case "list_item":
      return `${node.children.map(nodeText).join("")}\n`;
    case "list":
      return node.children.map((item, i) => `${node.ordered ? `${i + 1}.` : "-"} ${nodeText(item)}`).join("");
    default: {
      const unhandled: never = node;
      return unhandled;
    }
  }
}

/** A therapy's mechanism for the app: text, and the 2x hero rendition's URL. */
export function appMechanism(therapy: TherapyDetailApp): { text: string; hero: string | null } {
  const text = (therapy.mechanism_of_action ?? []).map(nodeText).join("");
  const hero = therapy.hero_image?.renditions.find((r) => r.density === 2)?.webp.url ?? null;
  return { text, hero };
}

/** One page of a sync applied to the app's local copy; returns the cursor to keep. */
export function applySync(store: Map<string, SyncPage["items"][number]>, page: SyncPage): string {
  for (const item of page.items) store.set(`${item.type}:${item.id}`, item);
  for (const gone of page.deleted) store.delete(`${gone.type}:${gone.id}`);
  return page.next_cursor;
}

/**
 * The item's JSON-LD as the <script> element a page's <head> carries. The API's JSON never
 * holds a literal `<`, `>` or `&` (it writes `\u003c`, `\u003e`, `\u0026`), but `JSON.parse`
 * turns those back into characters: a title such as `</script><script>...` would close the
 * element. Re-serialize, then escape the same three characters again before inlining.
 */
export function jsonLdScript(item: { schema_org?: { [key: string]: unknown } }): string {
  if (item.schema_org === undefined) return ""; // left out by `fields=`
  const json = JSON.stringify(item.schema_org)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
  return `<script type="application/ld+json">${json}</script>`;
}
