# A small YOLOX (CSPDarknet + PAFPN + decoupled head, as mmdet's yolox_tiny) for the embedded default:
# synthetic coloured shapes on textured backgrounds, 256x192 images letterboxed to a 192x192 input.
# Self-contained mmengine config (no _base_), readable with mmengine.Config.fromfile.

class_names = ("circle", "rectangle", "triangle")
img_scale = (192, 192)  # width, height of the network input
widen_factor = 0.125
neck_channels = 32

model = dict(
    type="YOLOX",
    data_preprocessor=dict(type="DetDataPreprocessor", pad_size_divisor=32),
    backbone=dict(
        type="CSPDarknet",
        deepen_factor=0.33,
        widen_factor=widen_factor,
        out_indices=(2, 3, 4),
        use_depthwise=False,
        spp_kernal_sizes=(5, 9, 13),
        norm_cfg=dict(type="BN", momentum=0.03, eps=0.001),
        act_cfg=dict(type="Swish"),
    ),
    neck=dict(
        type="YOLOXPAFPN",
        in_channels=[32, 64, 128],
        out_channels=neck_channels,
        num_csp_blocks=1,
        use_depthwise=False,
        upsample_cfg=dict(scale_factor=2, mode="nearest"),
        norm_cfg=dict(type="BN", momentum=0.03, eps=0.001),
        act_cfg=dict(type="Swish"),
    ),
    bbox_head=dict(
        type="YOLOXHead",
        num_classes=len(class_names),
        in_channels=neck_channels,
        feat_channels=neck_channels,
        stacked_convs=2,
        strides=(8, 16, 32),
        use_depthwise=False,
        norm_cfg=dict(type="BN", momentum=0.03, eps=0.001),
        act_cfg=dict(type="Swish"),
        loss_cls=dict(type="CrossEntropyLoss", use_sigmoid=True, reduction="sum", loss_weight=1.0),
        loss_bbox=dict(type="IoULoss", mode="square", eps=1e-16, reduction="sum", loss_weight=5.0),
        loss_obj=dict(type="CrossEntropyLoss", use_sigmoid=True, reduction="sum", loss_weight=1.0),
        loss_l1=dict(type="L1Loss", reduction="sum", loss_weight=1.0),
    ),
    train_cfg=dict(assigner=dict(type="SimOTAAssigner", center_radius=2.5)),
    test_cfg=dict(score_thr=0.01, nms=dict(type="nms", iou_threshold=0.65)),
)

test_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="Resize", scale=img_scale, keep_ratio=True),
    dict(type="Pad", pad_to_square=True, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type="PackDetInputs", meta_keys=("img_id", "img_path", "ori_shape", "img_shape", "scale_factor")),
]

metainfo = dict(classes=class_names)
default_scope = "mmdet"
