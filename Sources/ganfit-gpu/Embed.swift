// `ganfit-gpu embed PHOTO...`: FaceNet embeddings of face crops and their pairwise cosine
// similarities (face detection comes later: give crops, or a box per photo).
import ArgumentParser
import Engine
import Foundation

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "FaceNet embeddings of face photos (crops, or a box each) and their pairwise cosine similarities.",
        discussion: """
            Each photo (PNG or JPEG) is cropped to its box, or taken whole, and resampled to 160×160 by area
            averaging. The model is found at --model, else $GANFIT_MODELS/facenet/graph_final.pb, else
            models/downloaded/facenet/graph_final.pb (fetched by `bash scripts/fetch-models.sh`).
            """)

    @OptionGroup var options: DeviceOptions

    @Argument(help: "Face photos: PNG or JPEG, ideally a face crop with a little margin.")
    var photos: [String]

    @Option(name: .customLong("box"), help: "x,y,width,height of the face in pixels, once per photo in order (default: the whole photo).")
    var boxes: [String] = []

    @Option(help: "The FaceNet graph_final.pb to use.")
    var model: String?

    @Flag(help: "Print the embeddings and similarities as JSON.")
    var json = false

    func run() throws {
        try runReportingErrors {
            guard boxes.isEmpty || boxes.count == photos.count else {
                throw EngineError.invalidValue("give one --box per photo (\(photos.count) photos, \(boxes.count) boxes), or none")
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
                let object: [String: Any] = ["model": network.path, "device": backend.name, "photos": photos,
                                             "embeddings": embeddings, "cosine": similarities]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("model:  \(network.name)\ndevice: \(backend.name)")
                for (photo, e) in zip(photos, embeddings) {
                    print("\(photo): 512-d, first values " + e.prefix(4).map { String(format: "%+.4f", $0) }.joined(separator: " "))
                }
                print("cosine similarity of the embeddings (1 = same direction):")
                for (k, row) in similarities.enumerated() {
                    print(String(format: "%3d ", k) + row.map { String(format: "%7.4f", $0) }.joined(separator: " ") + "  \(photos[k])")
                }
            }
        }
    }
}
