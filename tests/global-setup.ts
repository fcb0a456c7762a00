import { build } from "./build.js";

export default function setup(): void {
  build();
}
