"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

export default function AddTodo() {
  const router = useRouter();
  const [title, setTitle] = useState("");
  const [error, setError] = useState("");

  async function submit(e) {
    e.preventDefault();
    setError("");
    // Same-origin route handler: the browser never needs the backend's address.
    const res = await fetch("/api/todos", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title }),
    });
    if (!res.ok) {
      setError(`could not add the todo (${res.status})`);
      return;
    }
    setTitle("");
    router.refresh();
  }

  return (
    <form onSubmit={submit}>
      <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="What needs doing?" />
      <button type="submit">Add</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
