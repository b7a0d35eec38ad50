// The parts of the front end, each evaluated in a task of its own (main.js imports them): the kernel connection.
export { KernelConnection } from "@jupyterlab/services/lib/kernel/default";
export { ServerConnection } from "@jupyterlab/services/lib/serverconnection";
