/**
 * An RFC 9457 problem response (`application/problem+json`), the shape the
 * Idempotency-Key draft uses for its 400, 409 and 422 answers.
 */
export function problemResponse(
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}
