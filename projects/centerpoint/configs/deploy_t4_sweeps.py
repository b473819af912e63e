# awml-deploy config of the 5-feature, sweep-using variant of the CenterPoint embedded default:
#   PYTHONPATH=python:. python3 -m awml_deploy centerpoint projects/centerpoint/configs/deploy_t4_sweeps.py
# The embedded default's settings (deploy_default.py) with the variant model (x, y, z, intensity, time lag; one past
# sweep), its checkpoint (the 4-feature one with a zero weight for the time lag: the model ignores it) and the
# committed T4-shaped frames (assets/t4_sweeps, written by tools/make_t4_sweeps.py). Paths: repository root.
_base_ = ["./deploy_default.py"]

checkpoint_path = "projects/centerpoint/assets/centerpoint_tiny_t4_sweeps.pth"

export = dict(work_dir="work_dirs/centerpoint_t4_sweeps")

runtime_io = dict(info_file="projects/centerpoint/assets/t4_sweeps/t4_sweeps_infos_test.pkl", sample_idx=0)

evaluation = dict(
    # quality floor: the shipped variant checkpoint reaches mAP 0.835 (center_distance_bev) on the 4 committed T4-shaped frames
    min_primary_metric=0.82,
)

project = dict(
    model_config="projects/centerpoint/configs/centerpoint_tiny_t4_sweeps.py",
    num_frames=None,  # every committed frame
    scene_set=None,
)
