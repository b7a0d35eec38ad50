// The parts of the front end, each evaluated in a task of its own (main.js imports them): the server connection
// settings and what they need of @jupyterlab/coreutils (evaluated with the kernel connection they took one task of
// 70–190 ms at 4x CPU throttling).
export { ServerConnection } from "@jupyterlab/services/lib/serverconnection";
