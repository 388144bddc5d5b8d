import { Fragment, type ReactNode } from "react";

/**
 * A small, safe markdown renderer for answers (no HTML is ever injected): fenced code,
 * paragraphs, bullet and numbered lists, **bold**, *italic*, `code`, [links](…) and [n]
 * citations. Enough for chat answers without a dependency.
 */
function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern =
    /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*|\[[^\]]+\]\((https?:\/\/[^)\s]+)\)|\[\d+\])/gu;
  let last = 0;
  let i = 0;
  for (const match of text.matchAll(pattern)) {
    const token = match[0];
    const at = match.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const k = `${key}-${i++}`;
    if (token.startsWith("`")) out.push(<code key={k}>{token.slice(1, -1)}</code>);
    else if (token.startsWith("**")) out.push(<strong key={k}>{token.slice(2, -2)}</strong>);
    else if (token.startsWith("*")) out.push(<em key={k}>{token.slice(1, -1)}</em>);
    else if (/^\[\d+\]$/u.test(token))
      out.push(
        <sup key={k} className="cite">
          {token}
        </sup>,
      );
    else {
      const label = token.slice(1, token.indexOf("]("));
      out.push(
        <a key={k} href={match[2]} target="_blank" rel="noreferrer">
          {label}
        </a>,
      );
    }
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Markdown({ text }: { text: string }) {
  const blocks: ReactNode[] = [];
  const parts = text.split(/(```[^\n]*\n[\s\S]*?(?:```|$))/u);
  parts.forEach((part, p) => {
    if (part.startsWith("```")) {
      const code = part.replace(/^```[^\n]*\n/u, "").replace(/```$/u, "");
      blocks.push(
        <pre key={`c${p}`}>
          <code>{code}</code>
        </pre>,
      );
      return;
    }
    part
      .split(/\n{2,}/u)
      .filter((para) => para.trim() !== "")
      .forEach((para, q) => {
        const key = `${p}-${q}`;
        const lines = para.split("\n");
        if (lines.every((l) => /^\s*(?:[-*+]|\d+[.)])\s+/u.test(l))) {
          const ordered = /^\s*\d/u.test(lines[0] ?? "");
          const items = lines.map((l, n) => (
            <li key={n}>{inline(l.replace(/^\s*(?:[-*+]|\d+[.)])\s+/u, ""), `${key}-${n}`)}</li>
          ));
          blocks.push(ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>);
          return;
        }
        const heading = /^(#{1,6})\s+(.*)$/u.exec(para);
        if (heading) {
          blocks.push(<h4 key={key}>{inline(heading[2] ?? "", key)}</h4>);
          return;
        }
        blocks.push(
          <p key={key}>
            {lines.map((line, n) => (
              <Fragment key={n}>
                {n > 0 && <br />}
                {inline(line, `${key}-${n}`)}
              </Fragment>
            ))}
          </p>,
        );
      });
  });
  return <>{blocks}</>;
}
