// The real photos behind the synthetic faces: each photo with the 68 points of its faces (from an
// iBUG .pts file, or the MMOD faces of a dlib fixture JSON), lending albedos and backgrounds.
import Foundation

/// A photo and the 68 iBUG points of each face in it (0-based pixel centres).
public struct SynthPhoto {
    public let name: String
    public let image: Image
    public let faces: [[SIMD2<Float>]]

    public init(name: String, image: Image, faces: [[SIMD2<Float>]]) {
        (self.name, self.image, self.faces) = (name, image, faces)
    }

    /// Reads `photo` and its points: a .pts file (one face) or a JSON file of
    /// tools/dlib_reference.py (every face its MMOD detector found at upsample 0, "mmod"."0"[k]."parts").
    public static func read(photo: String, points: String) throws -> SynthPhoto {
        let image = try Image.read(photo)
        let faces: [[SIMD2<Float>]]
        if points.hasSuffix(".json") {
            let data = try FileInput.read(points, what: "a dlib reference JSON (tools/dlib_reference.py)")
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            guard let boxes = (root?["mmod"] as? [String: Any])?["0"] as? [[String: Any]] else {
                throw EngineError.badFile(
                    path: points,
                    problem: "has no \"mmod\".\"0\" list of faces; give the JSON written by "
                        + "tools/dlib_reference.py or a .pts file")
            }
            faces = try boxes.map { box in
                guard let parts = box["parts"] as? [[Double]], parts.count == 68,
                    parts.allSatisfy({ $0.count == 2 })
                else {
                    throw EngineError.badFile(
                        path: points, problem: "a face's \"parts\" are not 68 [x, y] pairs")
                }
                return parts.map { SIMD2(Float($0[0]), Float($0[1])) }
            }
        } else {
            faces = [try PTSFile.read(points)]
        }
        guard !faces.isEmpty, faces.allSatisfy({ $0.count == 68 }) else {
            throw EngineError.badFile(path: points, problem: "needs the 68 iBUG points of at least one face")
        }
        return SynthPhoto(name: URL(fileURLWithPath: photo).lastPathComponent, image: image, faces: faces)
    }

    /// The bundled and fixture photos we may use (paths from the repository root): the 300-W sample,
    /// scikit-image's astronaut, matplotlib's Grace Hopper and t1's six faces.
    public static let defaultFiles: [(photo: String, points: String)] = [
        ("samples/image_0010.png", "samples/image_0010.pts"),
        ("Tests/EngineTests/Fixtures/dlib/astronaut.png", "Tests/EngineTests/Fixtures/dlib/astronaut.json"),
        (
            "Tests/EngineTests/Fixtures/dlib/grace_hopper.decoded.png",
            "Tests/EngineTests/Fixtures/dlib/grace_hopper.json"
        ),
        ("Tests/EngineTests/Fixtures/dlib/t1.decoded.png", "Tests/EngineTests/Fixtures/dlib/t1.json"),
    ]
}

/// Background crops: a window of the output's aspect, 15–60% of the largest that fits, placed
/// where it overlaps the photo's faces least (each face's landmark box grown 1.6×).
enum SynthBackground {
    static func choose(_ random: inout SynthRandom, photos: [SynthPhoto], aspect: Double) -> (Int, FaceBox) {
        let index = random.index(photos.count)
        let photo = photos[index]
        let (w, h) = (Double(photo.image.width), Double(photo.image.height))
        let faces = photo.faces.map { points -> FaceBox in
            let xs = points.map { Double($0.x) }
            let ys = points.map { Double($0.y) }
            let (cx, cy) = ((xs.min()! + xs.max()!) / 2, (ys.min()! + ys.max()!) / 2)
            let side = 1.6 * Swift.max(xs.max()! - xs.min()!, ys.max()! - ys.min()!)
            return FaceBox(x: cx - side / 2, y: cy - side * 0.6, width: side, height: side)
        }
        var best = (overlap: Double.infinity, box: FaceBox(x: 0, y: 0, width: w, height: h))
        for _ in 0..<200 where best.overlap > 0 {
            let height = random.uniform(0.15, 0.6) * Swift.min(h, w / aspect)
            let width = height * aspect
            let box = FaceBox(
                x: random.uniform(0, w - width), y: random.uniform(0, h - height), width: width,
                height: height)
            let overlap = faces.map { intersection($0, box) / ($0.width * $0.height) }.reduce(0, +)
            if overlap < best.overlap { best = (overlap, box) }
        }
        return (index, best.box)
    }

    private static func intersection(_ a: FaceBox, _ b: FaceBox) -> Double {
        Swift.max(0, Swift.min(a.x + a.width, b.x + b.width) - Swift.max(a.x, b.x))
            * Swift.max(0, Swift.min(a.y + a.height, b.y + b.height) - Swift.max(a.y, b.y))
    }
}
