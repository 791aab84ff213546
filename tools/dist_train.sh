#!/usr/bin/env bash
# Usage: bash tools/dist_train.sh CONFIG NPROCS [train.py options]
# One process per GPU (or per CPU worker with the gloo backend on CPU).
set -euo pipefail
CONFIG=$1
NPROCS=$2
PORT=${PORT:-29500}
PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
torchrun --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="$PORT" \
    --nproc_per_node="$NPROCS" \
    "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "${@:3}"
