// dlib's ResNet face descriptor and face chips against the real dlib (fixtures from tools/dlib_reference.py):
// descriptors of dlib's own chips on the CPU backend and on OpenCL, our chips from dlib's 68 points, and a
// wrong network file refused.
@testable import Engine
import Foundation
import XCTest

final class DlibFaceDescriptorTests: XCTestCase {
    /// One face of a fixture photo: dlib's 68 points, chip, chip placement and descriptor.
    struct Face {
        let name: String
        let photo: String
        let landmarks: [SIMD2<Float>]
        let chip: String
        let rect: [Double], angle: Double
        let descriptor: [Float]
    }

    static let photos = ["astronaut", "grace_hopper", "image_0010", "t1"]

    static func faces() throws -> [Face] {
        try photos.flatMap { stem -> [Face] in
            let path = Repository.path("Tests/EngineTests/Fixtures/dlib/\(stem).json")
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let photo = Repository.path(try XCTUnwrap((json["decodedPNG"] ?? json["photo"]) as? String))
            let boxes = try XCTUnwrap((json["mmod"] as? [String: Any])?["0"] as? [[String: Any]])
            return try XCTUnwrap(json["faces"] as? [[String: Any]]).enumerated().map { k, face in
                let box = boxes[try XCTUnwrap(face["mmodIndex"] as? Int)]
                let parts = try XCTUnwrap(box["parts"] as? [[Double]])
                let details = try XCTUnwrap(face["chipDetails"] as? [String: Any])
                let rect = try XCTUnwrap(details["rect"] as? [String: Double])
                return Face(name: "\(stem) face \(k)", photo: photo,
                            landmarks: parts.map { SIMD2(Float($0[0]), Float($0[1])) },
                            chip: Repository.path(try XCTUnwrap(face["chip"] as? String)),
                            rect: try ["left", "top", "right", "bottom"].map { try XCTUnwrap(rect[$0]) },
                            angle: try XCTUnwrap(details["angle"] as? Double),
                            descriptor: try XCTUnwrap(face["descriptor"] as? [Double]).map(Float.init))
            }
        }
    }

    static func network() throws -> DlibFaceDescriptor {
        try DlibFaceDescriptor(path: try DlibModels.path("dlib_face_recognition_resnet_model_v1.dat"))
    }

    /// The descriptors of `chips` (one batch) on `backend`.
    static func descriptors(_ chips: [RGBImage8], _ network: DlibFaceDescriptor,
                            on backend: any Backend) throws -> [[Float]] {
        let g = Graph()
        let image = g.input("image", [chips.count, 3, 150, 150])
        let descriptor = try network.descriptor(g, image: image)
        let program = try Program(graph: g, outputs: [descriptor], device: backend)
        try program.set("image", HostTensor([chips.count, 3, 150, 150], chips.flatMap { $0.planes.values }))
        try program.run()
        let values = try program.read(descriptor).values
        return (0..<chips.count).map { Array(values[$0 * 128..<($0 + 1) * 128]) }
    }

    func testDescriptorsOfDlibsChipsMatchDlibOnTheCPUBackendAndOnOpenCL() throws {
        let network = try Self.network(), faces = try Self.faces()
        let chips = try faces.map { RGBImage8(try Image.read($0.chip)) }
        var backends: [any Backend] = [CPUBackend.shared]
        backends.append(try TestDevice.openCL())
        for backend in backends {
            let ours = try Self.descriptors(chips, network, on: backend)
            let distances = zip(ours, faces).map { DlibFaceDescriptor.distance($0, $1.descriptor) }
            let each = zip(faces, distances).map { "\($0.name) \(String(format: "%.2g", $1))" }
            print("descriptor distance to dlib's on \(backend.name): max \(distances.max()!); "
                + each.joined(separator: ", "))
            for (face, distance) in zip(faces, distances) {
                XCTAssertLessThanOrEqual(distance, 0.01, "\(face.name) on \(backend.name)")
            }
        }
    }

    func testChipsFromDlibsLandmarksMatchDlibsChipsAndDescriptors() throws {
        let network = try Self.network(), faces = try Self.faces()
        var chips: [RGBImage8] = [], photos: [String: RGBImage8] = [:]
        for face in faces {
            if photos[face.photo] == nil { photos[face.photo] = RGBImage8(try Image.read(face.photo)) }
            let placement = try FaceChip(landmarks: face.landmarks)
            let rect = [placement.left, placement.top, placement.right, placement.bottom]
            XCTAssertLessThanOrEqual(zip(rect, face.rect).map { Swift.abs($0 - $1) }.max()!, 1e-6, face.name)
            XCTAssertEqual(placement.angle, face.angle, accuracy: 1e-9, face.name)
            let chip = placement.extract(from: photos[face.photo]!)
            let expected = RGBImage8(try Image.read(face.chip))
            let differences = zip(chip.samples, expected.samples).map { Swift.abs(Int($0) - Int($1)) }
            let mean = Double(differences.reduce(0, +)) / Double(differences.count)
            let differing = differences.filter { $0 > 0 }.count
            print("\(face.name) chip vs dlib's: mean |difference| \(String(format: "%.4f", mean)) of 255, "
                + "max \(differences.max()!), \(differing) of \(differences.count) samples differ")
            XCTAssertLessThanOrEqual(mean, 0.05, face.name)
            chips.append(chip)
        }
        let distances = zip(try Self.descriptors(chips, network, on: CPUBackend.shared), faces)
            .map { DlibFaceDescriptor.distance($0, $1.descriptor) }
        print("descriptor of our chip vs dlib's descriptor: max distance \(distances.max()!)")
        for (face, distance) in zip(faces, distances) { XCTAssertLessThanOrEqual(distance, 0.01, face.name) }
    }

    func testAnotherNetworkFileIsRefusedWithItsFirstWrongLayer() throws {
        let detector = try DlibModels.path("mmod_human_face_detector.dat")
        XCTAssertThrowsError(try DlibFaceDescriptor(path: detector)) { error in
            guard case let EngineError.badFile(path, problem) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, detector)
            let expected = "layer 4 from the input is con, the network's definition has max_pool"
            XCTAssertTrue(problem.contains(expected), problem)
            XCTAssertTrue(problem.contains("dlib_face_recognition_resnet_model_v1.dat"), problem)
        }
    }

    func testDegenerateLandmarksAreRefused() {
        XCTAssertThrowsError(try FaceChip(landmarks: Array(repeating: SIMD2(5, 5), count: 68)))
        XCTAssertThrowsError(try FaceChip(landmarks: Array(repeating: SIMD2(5, 5), count: 5)))
    }
}
