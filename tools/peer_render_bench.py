"""Peer timings for the renderer benchmark (run outside the project, in a throwaway venv:
python3 -m venv /tmp/peer-venv && /tmp/peer-venv/bin/pip install mitsuba drjit numpy).

Mitsuba 3's LLVM (CPU) ray caster: visibility (triangle id + barycentrics per pixel centre) of a
latitude-longitude sphere framed like `ganfit-gpu render` frames a mesh, its BVH rebuilt every
frame (as a deforming face needs). Dr.Jit: bilinear sampling of a 512×512×3 texture at 224²
points, forward, and forward + backward to texture and uv. Prints median milliseconds."""
import math
import statistics
import time

import drjit as dr
import mitsuba as mi
import numpy as np

mi.set_variant("llvm_ad_rgb")
from drjit.llvm.ad import Array2f, Float, TensorXf, Texture2f  # noqa: E402


def median_ms(step, runs=20, warmup=3):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def uv_sphere(rings, segments):
    """The same sphere as Mesh.uvSphere in the engine: unit radius, 2·rings·segments triangles."""
    i, j = np.meshgrid(np.arange(rings + 1), np.arange(segments + 1), indexing="ij")
    theta, phi = math.pi * i / rings, 2 * math.pi * j / segments
    positions = np.stack([np.sin(theta) * np.sin(phi), np.cos(theta), np.sin(theta) * np.cos(phi)], -1).reshape(-1, 3)
    a = (i[:-1, :-1] * (segments + 1) + j[:-1, :-1]).ravel()
    c = a + segments + 1
    faces = np.concatenate([np.stack([a, c, c + 1], -1), np.stack([a, c + 1, a + 1], -1)])
    return positions.astype(np.float32), faces.astype(np.uint32)


def visibility(rings, segments, size):
    positions, faces = uv_sphere(rings, segments)
    mesh = mi.Mesh("sphere", len(positions), len(faces))
    params = mi.traverse(mesh)
    params["vertex_positions"] = mi.Float(positions.ravel())
    params["faces"] = mi.UInt32(faces.ravel())
    params.update()
    # Focal 2·size pixels; the sphere's bounding radius spans 90% of the image (engine framing).
    focal = 2.0 * size
    distance = focal * 1.0 / (0.45 * size) + 1.0
    fov = math.degrees(2 * math.atan(size / 2 / focal))
    sensor = mi.load_dict({"type": "perspective", "fov": fov, "fov_axis": "x",
                           "to_world": mi.ScalarTransform4f().look_at(origin=[0, 0, distance], target=[0, 0, 0], up=[0, 1, 0]),
                           "film": {"type": "hdrfilm", "width": size, "height": size}})
    scene = mi.load_dict({"type": "scene", "sphere": mesh, "sensor": sensor})
    scene_params = mi.traverse(scene)
    index = dr.arange(mi.UInt32, size * size)
    pixel = mi.Point2f((mi.Float(index % size) + 0.5) / size, (mi.Float(index // size) + 0.5) / size)
    rays, _ = sensor.sample_ray(0.0, 0.5, pixel, mi.Point2f(0.5, 0.5))
    # A deforming mesh: two slightly different shapes in turn, so every frame rebuilds the BVH.
    shapes = [mi.Float(positions.ravel()), mi.Float((positions * 1.001).ravel())]
    frame = [0]

    def step():
        frame[0] += 1
        scene_params["sphere.vertex_positions"] = shapes[frame[0] % 2]
        scene_params.update()
        si = scene.ray_intersect(rays)
        dr.eval(si.prim_index, si.uv)
        dr.sync_thread()

    return median_ms(step)


def texture(backward):
    rng = np.random.default_rng(0)
    data = TensorXf(rng.random((512, 512, 3), dtype=np.float32))
    uv = Array2f(rng.random(224 * 224, dtype=np.float32), rng.random(224 * 224, dtype=np.float32))

    def step():
        values = TensorXf(data)
        coords = Array2f(uv)
        if backward:
            dr.enable_grad(values, coords)
        tex = Texture2f(values)
        out = tex.eval(coords)
        if backward:
            dr.backward(out[0] + out[1] + out[2])
            dr.eval(dr.grad(values), dr.grad(coords))
        else:
            dr.eval(out)
        dr.sync_thread()

    return median_ms(step)


if __name__ == "__main__":
    print(f"drjit {dr.__version__}, mitsuba {mi.__version__}, llvm_ad_rgb on {dr.detail.llvm_target_cpu() if hasattr(dr.detail, 'llvm_target_cpu') else 'CPU'}")
    for label, rings, segments in [("sphere 6728", 58, 58), ("sphere 100k", 224, 224)]:
        for size in (224, 512):
            print(f"mitsuba visibility {label} {size}²: {visibility(rings, segments, size):.2f} ms")
    print(f"drjit texture fwd 512²×3 at 224² points: {texture(False):.2f} ms")
    print(f"drjit texture fwd+bwd 512²×3 at 224² points: {texture(True):.2f} ms")
