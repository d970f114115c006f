// Differential-test oracle: asks @cloud-copilot/iam-simulate (an IAM evaluator written by
// others) for the decision on each case, so tests/policy_oracle.rs can compare it with
// bedrock-audit's own endpoint-policy evaluator.
//
// stdin: a JSON array of cases
//   { "name", "kind": "endpoint" | "identity" | "account", "policy": {...}, "scps": [{...}],
//     "principal", "action", "resource", "resource_account", "context": { key: string | [string] } }
// stdout: a JSON array, one entry per case, in order:
//   { "name", "decision": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Error", "detail" }
//
// An endpoint-policy case runs with an identity policy that allows everything, so the decision
// is the endpoint policy's alone. The package is found under tools/iam-simulate/ (installed by
// scripts/setup-test-deps), or where IAM_SIMULATE_DIR points.
'use strict'
const path = require('path')
const { createRequire } = require('module')

const toolsDir =
  process.env.IAM_SIMULATE_DIR || path.join(__dirname, '..', '..', 'tools', 'iam-simulate')
let simulator
try {
  simulator = createRequire(path.join(toolsDir, 'package.json'))('@cloud-copilot/iam-simulate')
} catch (error) {
  process.stderr.write(
    `iam-simulate is not installed under ${toolsDir} (${error.code || error.message}); run scripts/setup-test-deps\n`
  )
  process.exit(3)
}

const allowEverything = {
  name: 'AllowEverything',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
}

async function decide(item) {
  const endpoint = item.kind === 'endpoint'
  // kind "account": the test server's SimulatePrincipalPolicy inputs, identity policies and
  // SCPs (each SCP beside FullAWSAccess at the root, as in an organisation).
  const scps = item.kind === 'account'
    ? [{ orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: allowEverything.policy }]
        .concat((item.scps || []).map((policy, i) => ({ name: `Scp${i}`, policy }))) }]
    : []
  const simulation = {
    request: {
      principal: item.principal,
      action: item.action,
      resource: { resource: item.resource, accountId: item.resource_account },
      contextVariables: item.context || {}
    },
    identityPolicies: endpoint ? [allowEverything] : [{ name: 'Identity', policy: item.policy }],
    serviceControlPolicies: scps,
    resourceControlPolicies: [],
    vpcEndpointPolicies: endpoint ? [{ name: 'Endpoint', policy: item.policy }] : undefined
  }
  const result = await simulator.runSimulation(simulation, {})
  if (result.resultType === 'error') {
    return { name: item.name, decision: 'Error', detail: JSON.stringify(result.errors) }
  }
  return { name: item.name, decision: result.overallResult, detail: '' }
}

async function main() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const answers = []
  for (const item of cases) {
    try {
      answers.push(await decide(item))
    } catch (error) {
      answers.push({ name: item.name, decision: 'Error', detail: String(error && error.message) })
    }
  }
  process.stdout.write(JSON.stringify(answers))
}

main().catch((error) => {
  process.stderr.write(`oracle failed: ${error && error.stack}\n`)
  process.exit(1)
})
