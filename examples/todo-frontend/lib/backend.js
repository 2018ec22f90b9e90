// The backend is reached from the Next.js server, never from the browser: a
// browser cannot resolve cluster DNS names such as todo-backend.todo-app.svc
//. BACKEND_URL is read at request time, so one image serves any
// release name; NEXT_PUBLIC_API_URL is the build-time fallback.
export function backendUrl() {
  return (
    process.env.BACKEND_URL ||
    process.env.NEXT_PUBLIC_API_URL ||
    "http://todo-backend:7860"
  ).replace(/\/+$/, "");
}

export async function backend(path, init = {}) {
  return fetch(backendUrl() + path, { cache: "no-store", ...init });
}
