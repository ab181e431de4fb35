"""Checks the manifests of this folder without a cluster: each parses as YAML, and they agree
with each other and with echelon's shard contract (run by tests/slurm.sh; needs PyYAML).

The shard Job is Indexed, its completion count is the N of `--shard env/N`, it writes the
shards where the merge Job reads them, and every pod mounts the one claim that pvc.yaml makes.
"""

import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent


def load(name):
    docs = [d for d in yaml.safe_load_all((HERE / name).read_text()) if d]
    assert len(docs) == 1, f"{name}: expected one document, found {len(docs)}"
    return docs[0]


def pod_spec(obj):
    return obj["spec"]["template"]["spec"] if obj["kind"] == "Job" else obj["spec"]


def check_mounts(name, obj, claim):
    spec = pod_spec(obj)
    volumes = {v["name"]: v for v in spec["volumes"]}
    for c in spec["containers"]:
        for m in c["volumeMounts"]:
            pvc = volumes[m["name"]]["persistentVolumeClaim"]["claimName"]
            assert pvc == claim, f"{name}: mounts claim {pvc!r}, pvc.yaml makes {claim!r}"
            assert m["mountPath"] == "/data", f"{name}: the volume is at {m['mountPath']}, not /data"


def arg_after(cmd, flag):
    assert flag in cmd, f"command {cmd} has no {flag}"
    return cmd[cmd.index(flag) + 1]


def main():
    pvc, shards, merge, results = (load(f) for f in
                                   ("pvc.yaml", "shards-job.yaml", "merge-job.yaml", "results-pod.yaml"))
    assert pvc["kind"] == "PersistentVolumeClaim"
    claim = pvc["metadata"]["name"]
    for name, obj in (("shards-job.yaml", shards), ("merge-job.yaml", merge), ("results-pod.yaml", results)):
        check_mounts(name, obj, claim)

    spec = shards["spec"]
    run = pod_spec(shards)["containers"][0]["command"]
    assert spec["completionMode"] == "Indexed", "shards-job.yaml: completionMode must be Indexed"
    assert run[:2] == ["echelon", "run"], f"shards-job.yaml: runs {run[:2]}"
    shard = arg_after(run, "--shard")
    assert shard == f"env/{spec['completions']}", \
        f"shards-job.yaml: --shard {shard} with completions {spec['completions']}"
    assert spec["parallelism"] <= spec["completions"]
    assert pod_spec(shards)["restartPolicy"] == "Never"

    cmd = pod_spec(merge)["containers"][0]["command"]
    assert cmd[:2] == ["echelon", "merge"], f"merge-job.yaml: runs {cmd[:2]}"
    assert cmd[2] == arg_after(run, "--out"), "merge-job.yaml reads another folder than the shards write"
    print(f"deploy/k8s: 4 manifests parse and agree ({shard}, claim {claim}, "
          f"shards in {cmd[2]}, results in {arg_after(cmd, '--out')})")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, KeyError, yaml.YAMLError) as e:
        print(f"deploy/k8s/check.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
