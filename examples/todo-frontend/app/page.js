import Link from "next/link";

export default function Home() {
  return (
    <main>
      <h1>Todo</h1>
      <p>
        The example app deployed by <code>helm todo up</code>.
      </p>
      <p>
        <Link href="/todos">Open the todo list</Link>
      </p>
    </main>
  );
}
