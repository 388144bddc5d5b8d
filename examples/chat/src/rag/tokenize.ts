/**
 * Lexical analysis for BM25: lower-cased letters/digits runs, English stop words removed, and a
 * light suffix stemmer so "streams", "streaming" and "streamed" meet. A heavier stemmer (Porter)
 * buys little on a technical corpus where identifiers matter more than inflection.
 */
const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}_]*/gu;

const STOP_WORDS = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being " +
    "below between both but by can could did do does doing down during each few for from further " +
    "had has have having he her here hers him his how i if in into is it its itself just me more " +
    "most my no nor not now of off on once only or other our out over own same she should so some " +
    "such than that the their them then there these they this those through to too under until up " +
    "very was we were what when where which while who whom why will with would you your yours"
  ).split(" "),
);

export function stem(word: string): string {
  if (word.length <= 3 || /[\d_]/u.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(?:sses|xes|ches|shes|zes)$/u.test(w)) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(?:ss|us|is)$/u.test(w)) w = w.slice(0, -1);
  const before = w;
  if (w.length >= 6 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length >= 6 && w.endsWith("ed")) w = w.slice(0, -2);
  if (w !== before) {
    // retried → retri → retry; stopped → stopp → stop.
    if (w.endsWith("i")) w = `${w.slice(0, -1)}y`;
    if (/([^aeiouls])\1$/u.test(w)) w = w.slice(0, -1);
  }
  // store, stored, storing → stor.
  if (w.length >= 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(TOKEN)) {
    const word = match[0];
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    out.push(stem(word));
  }
  return out;
}
