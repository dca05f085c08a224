"""Writes preprocessing-reference.json: what Pillow, OpenCV and torch compute on small synthetic images.

Run with Debian's python3 (Pillow 9.4, python3-opencv 4.6, torch 1.13):
    /usr/bin/python3 make_preprocessing_reference.py
The images are a formula that ImagePreprocessingTest rebuilds in Java. The two pipelines are written out from
their published steps (Hunyuan3D-2: ImageProcessorV2 + DinoImageEncoder transform; TRELLIS: preprocess_image +
encode_image), using the same library calls.
"""
import json

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def synthetic(w, h, alpha=True):
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 37 + y * 91 + x * y * 7) % 256
    g = (x * 11 + y * 53 + (x ^ y) * 5) % 256
    b = (x * x * 3 + y * 29 + 17) % 256
    a = (x * 61 + y * 17) % 256
    a = np.where((x + y) % 5 == 0, 255, a)
    inside = (x >= 2) & (x < w - 2) & (y >= 3) & (y < h - 1)
    a = np.where(inside, a, 0)
    chans = [r, g, b, a] if alpha else [r, g, b]
    return np.stack(chans, -1).astype(np.uint8)


MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def hunyuan_recenter(rgba, border, size):
    hgt, wid, _ = rgba.shape
    s = max(hgt, wid)
    canvas = np.zeros((s, s, 4), dtype=np.uint8)
    ys, xs = np.nonzero(rgba[..., 3])
    y0, y1, x0, x1 = ys.min(), ys.max(), xs.min(), xs.max()
    bh, bw = y1 - y0, x1 - x0
    want = int(s * (1 - border))
    k = want / max(bh, bw)
    h2, w2 = int(bh * k), int(bw * k)
    oy, ox = (s - h2) // 2, (s - w2) // 2
    canvas[oy:oy + h2, ox:ox + w2] = cv2.resize(rgba[y0:y1, x0:x1], (w2, h2), interpolation=cv2.INTER_AREA)
    a = canvas[..., 3:].astype(np.float32) / 255
    rgb = canvas[..., :3] * a + np.full((s, s, 3), 255, dtype=np.uint8) * (1 - a)
    rgb = rgb.clip(0, 255).astype(np.uint8)
    return cv2.resize(rgb, (size, size), interpolation=cv2.INTER_CUBIC)


def hunyuan_encoder(rgb, size):
    t = torch.tensor(rgb).float() / 255 * 2 - 1
    t = t.permute(2, 0, 1)[None]
    t = (t - (-1)) / (1 - (-1))
    t = F.interpolate(t, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    return (t - MEAN) / STD


def trellis(rgba, size):
    img = Image.fromarray(rgba, "RGBA")
    al = rgba[..., 3]
    pts = np.argwhere(al > 0.8 * 255)
    x0, y0, x1, y1 = pts[:, 1].min(), pts[:, 0].min(), pts[:, 1].max(), pts[:, 0].max()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    side = int(max(x1 - x0, y1 - y0) * 1.2)
    img = img.crop((cx - side // 2, cy - side // 2, cx + side // 2, cy + side // 2))
    img = img.resize((size, size), Image.Resampling.LANCZOS)
    arr = np.array(img).astype(np.float32) / 255
    arr = arr[..., :3] * arr[..., 3:4]
    arr = (arr * 255).astype(np.uint8)
    t = torch.from_numpy(arr.astype(np.float32) / 255).permute(2, 0, 1)[None]
    return (t - MEAN) / STD


def flat(a):
    return [float(v) for v in np.asarray(a).reshape(-1)]


rgba = synthetic(23, 17)
rgb = synthetic(23, 17, alpha=False)
pil = Image.fromarray(rgba, "RGBA")
out = {
    "pil_lanczos_9x11": flat(np.array(pil.resize((9, 11), Image.Resampling.LANCZOS))),
    "pil_lanczos_31x29": flat(np.array(pil.resize((31, 29), Image.Resampling.LANCZOS))),
    "pil_lanczos_rgb_10x6": flat(np.array(Image.fromarray(rgb).resize((10, 6), Image.Resampling.LANCZOS))),
    "cv_cubic_9x11": flat(cv2.resize(rgb, (9, 11), interpolation=cv2.INTER_CUBIC)),
    "cv_cubic_40x35": flat(cv2.resize(rgb, (40, 35), interpolation=cv2.INTER_CUBIC)),
    "cv_area_9x7": flat(cv2.resize(rgba, (9, 7), interpolation=cv2.INTER_AREA)),
    "cv_area_30x25": flat(cv2.resize(rgba, (30, 25), interpolation=cv2.INTER_AREA)),
    "cv_area_10x6": flat(cv2.resize(rgba, (10, 6), interpolation=cv2.INTER_AREA)),
}
big = synthetic(40, 30)
rec = hunyuan_recenter(big, 0.15, 16)
out["hunyuan_recenter_40x30_16"] = flat(rec)
out["hunyuan_encoder_40x30_16_18"] = flat(hunyuan_encoder(rec, 18))
out["trellis_40x30_20"] = flat(trellis(big, 20))
with open("preprocessing-reference.json", "w") as f:
    json.dump(out, f)
print({k: len(v) for k, v in out.items()})
