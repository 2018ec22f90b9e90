import { backend } from "../../lib/backend";
import AddTodo from "./add-todo";

// Rendered per request on the server, so the list is always the backend's
// current state and the browser only ever talks to this Next.js server.
export const dynamic = "force-dynamic";

export default async function Todos() {
  const res = await backend("/api/todos");
  if (!res.ok) {
    throw new Error(`backend answered ${res.status} for /api/todos`);
  }
  const todos = await res.json();
  return (
    <main>
      <h1>Todos</h1>
      <ul>
        {todos.map((t) => (
          <li key={t.id}>
            {t.done ? "✓ " : ""}
            {t.title}
          </li>
        ))}
      </ul>
      {todos.length === 0 && <p>Nothing to do yet.</p>}
      <AddTodo />
    </main>
  );
}
