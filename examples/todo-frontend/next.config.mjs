// "standalone" makes `next build` emit .next/standalone with a server.js and
// only the node_modules it needs; the image's runner stage copies just that.
/** @type {import('next').NextConfig} */
const nextConfig = {
  output: "standalone",
};

export default nextConfig;
