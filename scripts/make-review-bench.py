#!/usr/bin/env python3
"""Writes N 1280x720 JPEG photos for timing a review batch (`lumen cam --images`): seeded random
crops, flips and brightness changes of the shipped photos. Usage: make-review-bench.py OUT_DIR [N]."""
import random
import sys
from pathlib import Path

from PIL import Image, ImageEnhance

out = Path(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
out.mkdir(parents=True, exist_ok=True)
root = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
sources = [Image.open(root / name).convert("RGB") for name in ("chelsea.jpg", "coffee.jpg")]
rng = random.Random(42)
for i in range(count):
    photo = sources[i % len(sources)]
    w, h = photo.size
    scale = rng.uniform(0.6, 1.0)
    cw, ch = int(w * scale), int(h * scale)
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    picture = photo.crop((x, y, x + cw, y + ch)).resize((1280, 720), Image.BILINEAR)
    if rng.random() < 0.5:
        picture = picture.transpose(Image.FLIP_LEFT_RIGHT)
    picture = ImageEnhance.Brightness(picture).enhance(rng.uniform(0.7, 1.3))
    picture.save(out / f"photo_{i:04d}.jpg", quality=90)
print(f"wrote {count} images of 1280x720 to {out}")
