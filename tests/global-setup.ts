import { build } from "../testkit/build.js";

export default function setup(): void {
  build();
}
