// `ganfit-gpu embed PHOTO...`: how alike faces are. FaceNet embeddings of crops (cosine similarities), or
// dlib's ResNet descriptors of chips aligned by 68 landmarks (Euclidean distances, < 0.6 = same person).
// FaceNet takes crops or a box per photo; dlib's chips are aligned by 68 landmarks, detected or given.
import ArgumentParser
import Engine
import Foundation

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Identity descriptors of face photos and how alike they are (FaceNet or dlib's ResNet).",
        discussion: """
            FaceNet (default): each photo (PNG or JPEG) is cropped to its box, or taken whole, and \
            resampled to 160×160 by area averaging; the output is the embeddings' cosine similarities. \
            The model is found at --model, else $GANFIT_MODELS/facenet/graph_final.pb, else \
            models/downloaded/facenet/graph_final.pb.

            --identity dlib: each photo's largest face is detected and its 68 iBUG points placed (dlib's \
            MMOD detector and shape predictor), or given with --landmarks FILE.pts per photo; the face is \
            aligned to a 150×150 chip as dlib's get_face_chip does and described by dlib's ResNet (128 \
            numbers); the output is the descriptors' Euclidean distances, below 0.6 meaning the same \
            person (dlib's convention). The model is dlib/dlib_face_recognition_resnet_model_v1.dat in \
            the same folders.

            Both models are fetched by `bash scripts/fetch-models.sh`.
            """)

    enum Identity: String, ExpressibleByArgument { case facenet, dlib }

    @OptionGroup var options: DeviceOptions

    @Argument(help: "Face photos: PNG or JPEG (FaceNet: ideally a face crop with a little margin).")
    var photos: [String]

    @Option(help: "The identity network: facenet or dlib.")
    var identity: Identity = .facenet

    @Option(name: .customLong("box"),
            help: "x,y,width,height of the face in pixels, once per photo in order (FaceNet; default: all).")
    var boxes: [String] = []

    @Option(name: .customLong("landmarks"),
            help: "The face's 68 iBUG points (.pts), once per photo in order (dlib).")
    var landmarks: [String] = []

    @Option(help: "The model file: FaceNet's graph_final.pb, or dlib_face_recognition_resnet_model_v1.dat.")
    var model: String?

    @OptionGroup var landmarkModels: LandmarkModelOptions

    @Flag(help: "Print the embeddings and similarities (or descriptors and distances) as JSON.")
    var json = false

    func run() throws {
        try runReportingErrors {
            switch identity {
            case .facenet: try embedWithFaceNet()
            case .dlib: try describeWithDlib()
            }
        }
    }

    private func embedWithFaceNet() throws {
        guard landmarks.isEmpty else {
            throw EngineError.invalidValue("--landmarks is for --identity dlib; FaceNet takes --box")
        }
        guard boxes.isEmpty || boxes.count == photos.count else {
            throw EngineError.invalidValue("give one --box per photo (\(photos.count) photos, "
                + "\(boxes.count) boxes), or none")
        }
        let network = try FaceNet(path: try FaceNet.locate(explicit: model))
        let backend = try options.choice().makeBackend()
        let g = Graph()
        let image = g.input("image", [1, 3, network.inputSize.height, network.inputSize.width])
        let embedding = try network.build(g, image: image).embedding
        let program = try Program(graph: g, outputs: [embedding], device: backend)
        var embeddings: [[Float]] = []
        for (k, photo) in photos.enumerated() {
            let box = try boxes.isEmpty ? nil : FaceBox(parsing: boxes[k])
            let crop = FaceCrop.crop(try Image.read(photo), box: box, height: network.inputSize.height,
                                     width: network.inputSize.width)
            try program.set("image", crop)
            try program.run()
            embeddings.append(try program.read(embedding).values)
        }
        let similarities = embeddings.map { a in embeddings.map { b in zip(a, b).map(*).reduce(0, +) } }
        if json {
            try printJSON(["model": network.path, "device": backend.name, "photos": photos,
                           "embeddings": embeddings, "cosine": similarities])
        } else {
            print("model:  \(network.name)\ndevice: \(backend.name)")
            for (photo, e) in zip(photos, embeddings) {
                let first = e.prefix(4).map { String(format: "%+.4f", $0) }.joined(separator: " ")
                print("\(photo): 512-d, first values " + first)
            }
            print("cosine similarity of the embeddings (1 = same direction):")
            printTable(similarities)
        }
    }

    private func describeWithDlib() throws {
        guard landmarks.isEmpty || landmarks.count == photos.count, boxes.isEmpty else {
            throw EngineError.invalidValue("--identity dlib aligns each face by its 68 points: give one "
                + "--landmarks FILE.pts per photo, or none to detect them, and no --box (\(photos.count) photos, "
                + "\(landmarks.count) landmark files)")
        }
        let network = try DlibFaceDescriptor(path: try DlibFaceDescriptor.locate(explicit: model))
        let backend = try options.choice().makeBackend()
        let g = Graph()
        let image = g.input("image", [1, 3, network.inputSize.height, network.inputSize.width])
        let descriptor = try network.descriptor(g, image: image)
        let program = try Program(graph: g, outputs: [descriptor], device: backend)
        let fixedTurn = try landmarkModels.fixedTurn()
        if let fixedTurn, fixedTurn != .unturned, let file = landmarks.first {
            throw LandmarkModelOptions.turnRefused(fixedTurn, landmarks: file, photo: photos[0])
        }
        let landmarker = try landmarks.isEmpty ? landmarkModels.landmarker(device: backend) : nil
        var descriptors: [[Float]] = []
        for (k, photo) in photos.enumerated() {
            let read = try Image.read(photo)
            let (image, points): (RGBImage8, [SIMD2<Float>])
            if let landmarker {
                let upright = try landmarker.uprightFaces(in: read, fixed: fixedTurn)
                let face = try landmarker.face(0, among: upright.run.faces, source: photo)
                warnIfWeak(landmarker, face, source: photo)
                (image, points) = (RGBImage8(upright.image), face.points)
            } else {
                (image, points) = (RGBImage8(read), try PTSFile.read(landmarks[k]))
            }
            let chip = try FaceChip(landmarks: points)
            try program.set("image", chip.extract(from: image).planes)
            try program.run()
            descriptors.append(try program.read(descriptor).values)
        }
        let distances = descriptors.map { a in descriptors.map { b in DlibFaceDescriptor.distance(a, b) } }
        let threshold = DlibFaceDescriptor.samePersonDistance
        if json {
            try printJSON(["model": network.path, "device": backend.name, "photos": photos,
                           "landmarks": landmarks.isEmpty ? ["detected"] : landmarks, "descriptors": descriptors,
                           "distances": distances,
                           "samePersonBelow": threshold])
        } else {
            print("model:  \(network.name)\ndevice: \(backend.name)")
            print("Euclidean distance of the descriptors (below \(threshold): the same person):")
            printTable(distances)
        }
    }

    private func printJSON(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// One row per photo: its number, its value against each photo, its name.
    private func printTable(_ rows: [[Float]]) {
        for (k, row) in rows.enumerated() {
            print(String(format: "%3d ", k) + row.map { String(format: "%7.4f", $0) }.joined(separator: " ")
                + "  \(photos[k])")
        }
    }
}
