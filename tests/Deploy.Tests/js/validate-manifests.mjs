// Validates Kubernetes objects offline, without a cluster. Reads a multi-document YAML file (what `kubectl kustomize`
// renders), checks every object against its kind's schema (kubernetes-models' validators: types, required fields,
// formats), then type-checks them as object literals of the kinds' TypeScript interfaces, which rejects fields the
// kind does not have (a misspelt key passes the schemas). Prints the objects as one JSON array; exits with 1 and
// the reasons on stderr when any is invalid.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const [input, name] = process.argv.slice(2);
const objects = parseAllDocuments(readFileSync(input, "utf8")).map((document) => document.toJS()).filter((object) => object);

// kustomize wraps a long Secret value's base64 over lines, which the API server's decoder skips; the schema's does not.
for (const object of objects.filter((object) => object.kind === "Secret" && object.data)) {
  object.data = Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, value.replace(/\s/g, "")]));
}
const problems = [];

// "apps/v1" Deployment -> kubernetes-models/apps/v1/Deployment; "v1" Service -> kubernetes-models/v1/Service.
const modulePath = (object) => `kubernetes-models/${object.apiVersion}/${object.kind}`;

for (const object of objects) {
  const label = `${object.kind} ${object.metadata?.name}`;
  let model;
  try {
    model = await import(modulePath(object));
  } catch {
    problems.push(`${label}: no schema for ${object.apiVersion} ${object.kind}`);
    continue;
  }

  try {
    new model[object.kind](object).validate();
  } catch (error) {
    problems.push(`${label}: ${error.message}`);
  }
}

if (problems.length === 0) {
  const folder = join(here, ".rendered");
  mkdirSync(folder, { recursive: true });
  const source = objects.map((object, index) =>
    `import type { I${object.kind} as T${index} } from "${modulePath(object)}";\n` +
    `export const o${index}: T${index} = ${JSON.stringify(object, null, 2)};\n`).join("\n");
  writeFileSync(join(folder, `${name}.ts`), source);
  writeFileSync(join(folder, `${name}.tsconfig.json`), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", skipLibCheck: true },
    files: [`${name}.ts`],
  }));
  try {
    execFileSync(join(here, "node_modules", ".bin", "tsc"), ["-p", join(folder, `${name}.tsconfig.json`)], { encoding: "utf8" });
  } catch (error) {
    problems.push(`fields the kinds do not have (${name}.ts):\n${error.stdout}`);
  }
}

if (problems.length > 0) {
  process.stderr.write(problems.join("\n") + "\n");
  process.exit(1);
}

process.stdout.write(JSON.stringify(objects));
