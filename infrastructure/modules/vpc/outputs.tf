output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.this.id
}

output "cidr" {
  description = "The VPC's CIDR block (the NetworkPolicies of deploy/overlays name it)."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets: nodes and databases."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnets: load balancers and NAT gateways."
  value       = aws_subnet.public[*].id
}
