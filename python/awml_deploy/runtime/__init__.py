"""Runner, orchestrators, project registry and the `deploy()` session."""

from awml_deploy.runtime.projects import ProjectSpec, load_project, register_project, registered_projects
from awml_deploy.runtime.results import DeploymentResult, Gate
from awml_deploy.runtime.runner import BaseDeploymentRunner
from awml_deploy.runtime.session import RunOutcome, deploy

__all__ = [
    "BaseDeploymentRunner",
    "DeploymentResult",
    "Gate",
    "ProjectSpec",
    "RunOutcome",
    "deploy",
    "load_project",
    "register_project",
    "registered_projects",
]
