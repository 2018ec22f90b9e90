import { backend } from "../../../lib/backend";

export const dynamic = "force-dynamic";

// A thin proxy: the browser calls /api/todos on this server, which forwards
// to the backend over cluster DNS.
async function forward(init) {
  try {
    const res = await backend("/api/todos", init);
    return new Response(await res.text(), {
      status: res.status,
      headers: { "content-type": res.headers.get("content-type") || "application/json" },
    });
  } catch (err) {
    return Response.json({ error: `backend unreachable: ${err.message}` }, { status: 502 });
  }
}

export async function GET() {
  return forward();
}

export async function POST(request) {
  return forward({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: await request.text(),
  });
}
