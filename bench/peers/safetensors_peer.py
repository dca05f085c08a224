"""Peer for `tessera bench safetensors`: read every tensor of a safetensors file into owned torch tensors
with numpy and torch (the Python `safetensors` package is not packaged by Debian; this is what its
`load_file` does: parse the header, view the bytes, copy into tensors).
Usage: python3 safetensors_peer.py FILE   (prints `safetensors_read seconds`)"""
import json, struct, sys, time
import numpy as np
import torch

DT = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
      "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read(path):
    out = {}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        mm = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
        for name, info in header.items():
            if name == "__metadata__":
                continue
            b, e = info["data_offsets"]
            arr = np.frombuffer(mm[b:e], dtype=DT[info["dtype"]]).reshape(info["shape"])
            out[name] = torch.from_numpy(arr.copy())
    return out


best = 1e9
for _ in range(3):
    t = time.perf_counter()
    tensors = read(sys.argv[1])
    best = min(best, time.perf_counter() - t)
    del tensors
print(f"safetensors_read {best:.3f}")
